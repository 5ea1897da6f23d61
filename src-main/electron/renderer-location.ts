import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Where the renderer comes from: electron-vite's dev server during
 * `electron-vite dev` (ELECTRON_RENDERER_URL), the built index.html otherwise.
 * The one definition of "our page", used to load it and to trust its frames.
 */
export interface RendererLocation {
  /** What the window loads. */
  url: string;
  /** Whether a frame or navigation target is our renderer. */
  isOurs(url: string): boolean;
}

export function rendererLocation(mainDir: string, devServerUrl: string | undefined): RendererLocation {
  if (devServerUrl) {
    const origin = new URL(devServerUrl).origin;
    return { url: devServerUrl, isOurs: (url) => originOf(url) === origin };
  }
  const page = pathToFileURL(join(mainDir, '..', 'renderer', 'index.html')).href;
  // A file: page is ours only if it is exactly our index.html (any hash or query).
  return { url: page, isOurs: (url) => withoutSuffix(url) === page };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function withoutSuffix(url: string): string {
  return url.replace(/[?#].*$/, '');
}
