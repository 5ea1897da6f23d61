import { ApiError, apiEnvelopeSchema, describeIssues } from './api-error';
import { workbenchEventSchema } from './events';
import { API_METHODS, isApiMethod, type ApiMethod, type ApiRequest, type ApiResult } from './methods';
import type { WorkbenchApi, WorkbenchEventListener } from './workbench-api';

/**
 * How a client reaches the service: send one call and get the raw envelope
 * back; receive raw events. Transport failures reject with an ApiError.
 */
export interface ApiTransport {
  send(method: ApiMethod, request: unknown): Promise<unknown>;
  /** Starts delivering raw events; returns the function that stops it. */
  listen(onEvent: (raw: unknown) => void): () => void;
}

export interface RemoteApiOptions {
  /** An event that failed validation (dropped); defaults to console.warn. */
  onInvalidEvent?: (problem: string) => void;
}

/**
 * The client side of the contract over any transport. Nothing from the other
 * side is trusted: requests are checked before they leave (a form error needs
 * no round trip), replies and events are checked when they arrive.
 */
export function createRemoteApi(transport: ApiTransport, options: RemoteApiOptions = {}): WorkbenchApi {
  const listeners = new Set<WorkbenchEventListener>();
  let stopListening: (() => void) | undefined;
  const warn = options.onInvalidEvent ?? ((problem: string) => console.warn(problem));

  const deliver = (raw: unknown): void => {
    const parsed = workbenchEventSchema.safeParse(raw);
    if (!parsed.success) {
      warn(`dropped an invalid workbench event: ${describeIssues(parsed.error).message}`);
      return;
    }
    for (const listener of [...listeners]) {
      try {
        listener(parsed.data);
      } catch (error) {
        // One broken view must not starve the others of events.
        console.error('workbench event listener failed:', error);
      }
    }
  };

  return {
    async call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResult<M>> {
      if (!isApiMethod(method)) throw new ApiError('unknown-method', `no API method ${String(method)}`);
      const spec = API_METHODS[method];
      const checked = spec.request.safeParse(request);
      if (!checked.success) {
        const { message, field } = describeIssues(checked.error);
        throw new ApiError('invalid-request', `${method}: ${message}`, field ? { field } : {});
      }
      const raw = await transport.send(method, request);
      const envelope = apiEnvelopeSchema.safeParse(raw);
      if (!envelope.success) throw new ApiError('internal', `${method}: the service sent a malformed reply`);
      if (!envelope.data.ok) throw ApiError.fromBody(envelope.data.error);
      const result = spec.response.safeParse(envelope.data.result);
      if (!result.success) {
        throw new ApiError('internal', `${method}: reply failed validation: ${describeIssues(result.error).message}`);
      }
      return result.data as ApiResult<M>;
    },

    subscribe(listener: WorkbenchEventListener): () => void {
      listeners.add(listener);
      stopListening ??= transport.listen(deliver);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && stopListening) {
          stopListening();
          stopListening = undefined;
        }
      };
    },
  };
}
