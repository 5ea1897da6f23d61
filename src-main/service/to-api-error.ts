import { ApiError } from '../api/api-error';
import { InputTooSmallError } from '../shared/models/summary';
import { ExportCursorError, ExportTooLargeError, ImportError } from '../core/store/export-import';
import { RunBusyError, RunLimitError, RunNotFoundError } from '../core/store/run-store';
import { RunConfigError } from '../shared/train/make-run-config';
import { errorMessage } from '../shared/error-message';
import type { RunRecord } from '../shared/runs/run-entities';

/**
 * Core's errors as API errors: the code a client acts on, the field a form
 * marks. Anything not recognised is an internal error (a bug or an I/O
 * failure), reported with its message so it can be acted on.
 */
export function toApiError(error: unknown, fieldPrefix = ''): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof RunNotFoundError) return new ApiError('not-found', error.message);
  // Busy in another process (this one's queue answers its own runs itself): a state clash, not a fault.
  if (error instanceof RunBusyError) return new ApiError('conflict', error.message);
  if (error instanceof RunConfigError) {
    return new ApiError('invalid-request', error.message, { field: `${fieldPrefix}${error.field}` });
  }
  if (error instanceof RunLimitError) return new ApiError('invalid-request', error.message, { field: `${fieldPrefix}${error.field}` });
  if (error instanceof InputTooSmallError) return inputTooSmall(error, fieldPrefix);
  if (error instanceof ExportTooLargeError) return new ApiError('too-large', error.message, { field: 'runIds' });
  if (error instanceof ExportCursorError) return new ApiError('invalid-request', error.message, { field: 'cursor' });
  if (error instanceof ImportError) return new ApiError('invalid-request', error.message, { field: 'content' });
  return new ApiError('internal', errorMessage(error));
}

/** An image too small for the network: the field at fault and the side that works, for the front end to offer. */
export function inputTooSmall(error: InputTooSmallError, fieldPrefix = ''): ApiError {
  return new ApiError('invalid-request', error.message, {
    field: `${fieldPrefix}resize`,
    minimumSide: error.minimumSide,
    suggestions: error.suggestions,
  });
}

/** A run queued or training in another process (another window's service, a CLI `train`): only it may change the run. */
export function busyElsewhere(run: Pick<RunRecord, 'id' | 'status' | 'owner'>): ApiError {
  const where = run.owner ? ` by process ${run.owner.pid} on ${run.owner.hostname}` : ' elsewhere';
  return new ApiError('conflict', `run ${run.id} is ${run.status}${where}: wait for it to stop, or cancel it there`);
}
