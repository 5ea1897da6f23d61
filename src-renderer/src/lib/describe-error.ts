import { ApiError } from '../../../src-main/api/api-error';
import type { FieldSuggestion } from '../../../src-main/shared/refusal';
import { errorMessage } from '../../../src-main/shared/error-message';

/** What the GUI shows for a failed call: the message, and the field it names if any. */
export interface ShownError {
  message: string;
  /** The request field at fault (`config.resize`), to show the message next to its control. */
  field?: string;
  /** With an input-size error: the smallest image side the network accepts. */
  minimumSide?: number;
  /** Field changes that would be accepted, offered as buttons. */
  suggestions?: FieldSuggestion[];
}

export function describeError(error: unknown): ShownError {
  if (error instanceof ApiError) {
    return {
      message: error.message,
      ...(error.field !== undefined ? { field: error.field } : {}),
      ...(error.minimumSide !== undefined ? { minimumSide: error.minimumSide } : {}),
      ...(error.suggestions !== undefined ? { suggestions: error.suggestions } : {}),
    };
  }
  return { message: errorMessage(error) };
}

/** The error if it names `field` (or a field under it: `config` matches `config.resize`). */
export function errorFor(error: ShownError | null, field: string): ShownError | null {
  if (!error?.field) return null;
  return error.field === field || error.field.endsWith(`.${field}`) ? error : null;
}
