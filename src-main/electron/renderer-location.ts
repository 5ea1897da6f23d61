import { isIP } from 'node:net';
import { join } from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-scheme';

/**
 * Where the renderer comes from: electron-vite's dev server during
 * `electron-vite dev` (ELECTRON_RENDERER_URL), the built files served as
 * app://workbench/ otherwise (app-protocol.ts). The one definition of "our
 * page", used to load it and to trust its frames.
 */

export interface RendererSource {
  /** `app.isPackaged`: an installed app loads only its own files, whatever the environment says. */
  packaged: boolean;
  /** ELECTRON_RENDERER_URL, which electron-vite sets during `electron-vite dev`. */
  devServerUrl: string | undefined;
}
export interface RendererLocation {
  /** What the window loads. */
  url: string;
  /** The built renderer's folder, for the app: handler; undefined with the dev server. */
  dir: string | undefined;
  /** Whether a frame or navigation target is our renderer. */
  isOurs(url: string): boolean;
}

/**
 * The page gets the API bridge, so whatever it loads drives the workbench.
 * Packaged, an environment variable must not choose it (anyone who can set
 * one could point the app at their own page); in development only a dev
 * server on this machine counts, anything else falls back to the built files.
 */
export function rendererLocation(mainDir: string, source: RendererSource): RendererLocation {
  const devServer = source.packaged ? undefined : loopbackHttpUrl(source.devServerUrl);
  if (devServer) {
    const origin = devServer.origin;
    return { url: devServer.href, dir: undefined, isOurs: (url) => originOf(url) === origin };
  }
  return {
    url: `${APP_SCHEME}://${APP_HOST}/index.html`,
    dir: join(mainDir, '..', 'renderer'),
    // Node's URL gives a non-special scheme the origin "null": compare scheme and host instead.
    isOurs: (url) => {
      const parsed = parse(url);
      return parsed?.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
    },
  };
}

/** electron-vite's dev server: http on a loopback name, nothing else. */
function loopbackHttpUrl(url: string | undefined): URL | undefined {
  const parsed = url ? parse(url) : undefined;
  if (parsed?.protocol !== 'http:') return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  return loopback ? parsed : undefined;
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

