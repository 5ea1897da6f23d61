import type { ApiEnvelope } from '../api/api-error';
import type { WorkbenchEvent } from '../api/events';

/**
 * What a transport (Electron IPC, the HTTP server) needs of the service:
 * a call with untrusted input answered by an envelope, and the event feed.
 * ExperimentService is one.
 */
export interface ServiceEndpoint {
  dispatch(method: unknown, request: unknown): Promise<ApiEnvelope>;
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
}
