import { CONFUSION_CLASSES, RUN_NAME_MAX_LENGTH, TAG_MAX_LENGTH } from '../../shared/runs/run-limits';

/**
 * What the run store refuses, and the checks that refuse it: the errors the
 * service turns into API errors (to-api-error.ts), and the validators of the
 * values a row takes (names, tags, confusion matrices).
 */

export class RunNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no run with id ${id}`);
    this.name = 'RunNotFoundError';
  }
}

/** The run is queued or training (here or in another process): what was asked must wait until it stops. */
export class RunBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunBusyError';
  }
}

/** A value past one of run-limits.ts's bounds; `field` names it as a request would (`tags`, `notes`). */
export class RunLimitError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'RunLimitError';
  }
}

/** Tags as stored: trimmed, each once, none empty or longer than TAG_MAX_LENGTH. */
export function normalizeTags(tags: readonly string[], field = 'tags'): string[] {
  const unique = new Set<string>();
  for (const tag of tags) {
    const trimmed = tag.trim();
    if (trimmed.length === 0) throw new RunLimitError('a tag cannot be empty', field);
    if (trimmed.length > TAG_MAX_LENGTH) {
      throw new RunLimitError(`a tag holds at most ${TAG_MAX_LENGTH} characters (one has ${trimmed.length})`, field);
    }
    unique.add(trimmed);
  }
  return [...unique];
}

/** A row that no longer reads as a run (a damaged or hand-edited file): listed as such, and deletable. */
export interface BrokenRun {
  id: string;
  name: string;
  status: string;
  createdAt: number;
  /** What failed to read, for the person deciding to delete it. */
  reason: string;
}

export class BrokenRunError extends Error {
  constructor(
    readonly id: string,
    readonly reason: string,
  ) {
    super(`run ${id} is recorded but cannot be read (${reason}); delete it with \`vgg-workbench runs delete ${id}\``);
    this.name = 'BrokenRunError';
  }
}

/** The first line of why a row failed to read, short enough for a table cell. */
export function brokenReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((part) => part.trim() !== '') ?? 'unreadable';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

export function checkName(name: string): string {
  if (name.length === 0) throw new Error('a run name cannot be empty');
  if (name.length > RUN_NAME_MAX_LENGTH) {
    throw new Error(`a run name holds at most ${RUN_NAME_MAX_LENGTH} characters (this one has ${name.length})`);
  }
  return name;
}

export function validateConfusion(matrix: number[][]): void {
  const n = matrix.length;
  if (n < 2) throw new Error('a confusion matrix needs at least 2 classes');
  if (n > CONFUSION_CLASSES) throw new Error(`a confusion matrix has at most ${CONFUSION_CLASSES} classes (one per Fashion-MNIST class), not ${n}`);
  for (const row of matrix) {
    if (row.length !== n) throw new Error(`a confusion matrix must be square (${n}×${n})`);
    for (const count of row) {
      if (!Number.isInteger(count) || count < 0) {
        throw new Error(`confusion counts must be non-negative integers, got ${count}`);
      }
    }
  }
}
