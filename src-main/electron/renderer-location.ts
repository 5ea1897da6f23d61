import { join } from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-scheme';

/**
 * Where the renderer comes from: electron-vite's dev server during
 * `electron-vite dev` (ELECTRON_RENDERER_URL), the built files served as
 * app://workbench/ otherwise (app-protocol.ts). The one definition of "our
 * page", used to load it and to trust its frames.
 */
export interface RendererLocation {
  /** What the window loads. */
  url: string;
  /** The built renderer's folder, for the app: handler; undefined with the dev server. */
  dir: string | undefined;
  /** Whether a frame or navigation target is our renderer. */
  isOurs(url: string): boolean;
}

export function rendererLocation(mainDir: string, devServerUrl: string | undefined): RendererLocation {
  if (devServerUrl) {
    const origin = new URL(devServerUrl).origin;
    return { url: devServerUrl, dir: undefined, isOurs: (url) => originOf(url) === origin };
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

