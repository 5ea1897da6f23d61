import type { ApiErrorCode } from '../api/api-error';

/** The HTTP status that goes with each API error code in browser mode. */
export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  'invalid-request': 400,
  'unknown-method': 404,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unavailable: 503,
  unauthorized: 401,
  forbidden: 403,
  internal: 500,
};
