import type Database from 'better-sqlite3';
import type { CheckpointFolder } from '../checkpoint/checkpoint-folder';
import type { LivenessContext } from './owner-liveness';
import type { RunColumns } from './run-rows';

/**
 * What every part of the run store shares (run-store.ts builds it once): the
 * database handle, the one folder whose files the store may open or delete,
 * and how to tell whether a run's recording process is still alive.
 */
export interface StoreContext {
  readonly path: string;
  readonly db: Database.Database;
  readonly checkpointFolder: CheckpointFolder;
  /** Runs `fn` in one IMMEDIATE transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;
  livenessContext(): LivenessContext;
}

/** Column names come from run-rows.ts, never from callers; this keeps it that way. */
export const assertColumns = (values: RunColumns): string[] => {
  const columns = Object.keys(values);
  for (const column of columns) if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column: ${column}`);
  return columns;
};
