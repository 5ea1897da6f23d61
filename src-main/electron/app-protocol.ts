import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { resolveStaticFile } from '../server/static-files';
import { APP_HOST, APP_SCHEME } from './app-scheme';

/**
 * The built renderer is served from app://workbench/, not file://. A file:
 * page shares its origin with every file on disk (any file: URL it is sent to
 * counts as "ours" to fetch), while app://workbench is one origin that holds
 * only the renderer's own folder. Electron's security checklist, item 18:
 * https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols
 */

/**
 * Must run before the app is ready. `standard`: URLs resolve and have an
 * origin as https: ones do; `secure`: a secure context, as the page had on
 * file:; `supportFetchAPI`: the page may fetch its own assets.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Answers app://workbench/<path> with the renderer's file, never one outside its folder. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? resolveStaticFile(rendererDir, url.pathname) : undefined;
    if (file === undefined) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}
