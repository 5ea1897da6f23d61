import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runnableEntry } from './entry-url';

/**
 * Starts a worker thread from a .js bundle or, from source, a .ts file: Node 20
 * does not carry tsx's loader hooks into worker threads, so a .ts entry is
 * started by a bootstrap that registers tsx first. In core, so that core's
 * own threads (data-parallel replicas) and the training worker share it.
 * In the CLI bundle a .ts source URL names the built .mjs beside the bundle.
 */
export function startThread(path: URL | string): Worker {
  const url = runnableEntry(path instanceof URL ? path : pathToFileURL(path));
  const href = url.href;
  if (!href.endsWith('.ts')) return new Worker(url);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(href)}); });`;
  return new Worker(bootstrap, { eval: true });
}
