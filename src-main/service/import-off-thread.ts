import { ImportError, importRuns, type ImportedRun } from '../core/store/export-import';
import type { RunStore } from '../core/store/run-store';
import { startThread } from '../core/thread/start-thread';
import { importReplySchema, type ImportRequest } from './import-protocol';

const defaultWorkerUrl = (): URL => new URL('./import-worker.entry.ts', import.meta.url);

/** An ImportError raised in the worker, with its message as it was (it already says nothing was imported). */
class WorkerImportError extends ImportError {
  constructor(message: string) {
    super('');
    this.message = message;
  }
}

/**
 * importRuns on a worker thread (import-worker.entry.ts), so a large file never
 * holds the service's event loop. A store with no file (`:memory:`) cannot
 * be shared with another connection: it imports in process.
 */
export async function importRunsOffThread(
  store: RunStore,
  content: string,
  workerPath: string | URL = defaultWorkerUrl(),
): Promise<ImportedRun[]> {
  if (store.path === ':memory:' || store.path === '') return importRuns(store, content);
  const worker = startThread(workerPath);
  try {
    const reply = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the import worker stopped (exit code ${code}) before it answered`)));
      const request: ImportRequest = { databasePath: store.path, checkpointsDir: store.checkpointFolder.root, content };
      worker.postMessage(request);
    });
    const parsed = importReplySchema.parse(reply);
    if (parsed.ok) return parsed.runs;
    throw parsed.refused ? new WorkerImportError(parsed.message) : new Error(parsed.message);
  } finally {
    await worker.terminate();
  }
}
