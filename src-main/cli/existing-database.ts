import { existsSync } from 'node:fs';
import { UsageError } from './usage-error';
import { terminalSafe } from './terminal-safe';

/**
 * Commands that read a recorded run (resume, evaluate, show, delete…) need a
 * database that is there: a mistyped --db is said to be missing, and no empty
 * database is created in its place.
 */
export function requireExistingDatabase(path: string): void {
  if (!existsSync(path)) throw new UsageError(`no run database at ${terminalSafe(path)} (nothing was created); check --db`);
}
