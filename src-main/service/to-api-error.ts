import { ApiError } from '../api/api-error';
import { InputTooSmallError } from '../shared/models/summary';
import { ImportError } from '../core/store/export-import';
import { RunNotFoundError } from '../core/store/run-store';
import { RunConfigError } from '../shared/train/make-run-config';
import { errorMessage } from '../shared/error-message';

/**
 * Core's errors as API errors: the code a client acts on, the field a form
 * marks. Anything not recognised is an internal error (a bug or an I/O
 * failure), reported with its message so it can be acted on.
 */
export function toApiError(error: unknown, fieldPrefix = ''): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof RunNotFoundError) return new ApiError('not-found', error.message);
  if (error instanceof RunConfigError) {
    return new ApiError('invalid-request', error.message, { field: `${fieldPrefix}${error.field}` });
  }
  if (error instanceof InputTooSmallError) return inputTooSmall(error, fieldPrefix);
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
