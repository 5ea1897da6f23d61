/**
 * Imports one run export into the database on a thread of its own: parsing,
 * validating and writing a 31 MB file with 330,000 points takes seconds of
 * CPU, which on the service's thread would hold every other request (and
 * every open window's events) that long. Its own SQLite connection writes
 * the runs in one transaction, as importRuns does in process; WAL lets the
 * service's connection keep reading meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { ImportError, importRuns } from '../core/store/export-import';
import { RunStore } from '../core/store/run-store';
import { errorMessage } from '../shared/error-message';
import { importRequestSchema, type ImportReply } from './import-protocol';

const port = parentPort;
if (!port) throw new Error('import-worker must be started as a worker thread');

port.once('message', (raw: unknown) => {
  port.postMessage(importOnce(raw) satisfies ImportReply);
});

function importOnce(raw: unknown): ImportReply {
  const request = importRequestSchema.safeParse(raw);
  if (!request.success) return { ok: false, refused: false, message: `invalid import request: ${request.error.message}` };
  const { databasePath, checkpointsDir, content } = request.data;
  let store: RunStore | undefined;
  try {
    // The service reaps runs and reconciles checkpoints itself; this connection only adds rows.
    store = RunStore.open(databasePath, { reapInterrupted: false, reconcileCheckpoints: false, checkpointsDir });
    return { ok: true, runs: importRuns(store, content) };
  } catch (error) {
    return { ok: false, refused: error instanceof ImportError, message: errorMessage(error) };
  } finally {
    store?.close();
  }
}
