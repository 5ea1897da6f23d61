import { ApiError, describeIssues, type ApiEnvelope } from '../api/api-error';
import {
  API_METHODS,
  isApiMethod,
  type ApiMethod,
  type ApiParsedRequest,
  type ApiResult,
} from '../api/methods';
import { toApiError } from './to-api-error';

/** One function per API method, receiving the validated request. */
export type ApiHandlers = {
  [M in ApiMethod]: (request: ApiParsedRequest<M>) => Promise<ApiResult<M>> | ApiResult<M>;
};

/**
 * The one entry every transport calls with what it received, untrusted:
 * checks the method name and the request, runs the handler, checks the
 * response, and answers with an envelope. Never throws: a transport only
 * has to pass the envelope on.
 */
export async function dispatchApiCall(
  handlers: ApiHandlers,
  method: unknown,
  request: unknown,
): Promise<ApiEnvelope> {
  if (!isApiMethod(method)) {
    const shown = typeof method === 'string' ? JSON.stringify(method.slice(0, 100)) : typeof method;
    return failure(new ApiError('unknown-method', `no API method ${shown}`));
  }
  const spec = API_METHODS[method];
  const parsed = spec.request.safeParse(request ?? {});
  if (!parsed.success) {
    const { message, field } = describeIssues(parsed.error);
    return failure(new ApiError('invalid-request', `${method}: ${message}`, field ? { field } : {}));
  }
  let result: unknown;
  try {
    const handler = handlers[method] as (request: unknown) => unknown;
    result = await handler(parsed.data);
  } catch (error) {
    return failure(toApiError(error));
  }
  const checked = spec.response.safeParse(result);
  if (!checked.success) {
    // Our bug, not the caller's: say so rather than send a reply the client will refuse.
    const { message } = describeIssues(checked.error);
    return failure(new ApiError('internal', `${method}: the reply failed validation: ${message}`));
  }
  return { ok: true, result: checked.data };
}

function failure(error: ApiError): ApiEnvelope {
  return { ok: false, error: error.toBody() };
}
