import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The built renderer's file for a URL path, or undefined; never a file outside `root`. */
export function resolveStaticFile(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const base = resolve(root);
  const candidate = resolve(base, `.${normalize(`/${decoded}`)}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return undefined;
  if (isFile(candidate)) return candidate;
  // A path without an extension is a route of the single-page app: its page is index.html.
  if (extname(decoded) === '') {
    const index = join(base, 'index.html');
    if (isFile(index)) return index;
  }
  return undefined;
}

export function rendererIsBuilt(root: string): boolean {
  return isFile(join(root, 'index.html'));
}

export function sendFile(response: ServerResponse, path: string, headOnly: boolean): void {
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  response.writeHead(200, {
    'content-type': type,
    'content-length': statSync(path).size,
    // Vite's hashed assets never change under one name; the page itself must be re-read.
    'cache-control': path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (headOnly) {
    response.end();
    return;
  }
  createReadStream(path)
    .on('error', () => response.destroy())
    .pipe(response);
}

/** What a browser gets before `npm run build` has made the renderer. */
export function notBuiltPage(root: string): string {
  return page(
    'VGG Workbench: the interface is not built',
    `<p>The server and its API are running, but the interface has not been built yet
    (<code>${escapeHtml(join(root, 'index.html'))}</code> is missing).</p>
    <p>Run <code>npm run build</code>, then restart <code>vgg-workbench serve</code>.</p>`,
  );
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
