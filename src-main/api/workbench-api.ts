import type { ApiMethod, ApiRequest, ApiResult } from './methods';
import type { WorkbenchEvent } from './events';

export type WorkbenchEventListener = (event: WorkbenchEvent) => void;

/**
 * The one contract between the renderer and the main process, whatever
 * carries it (Electron IPC, HTTP + WebSocket). Requests and responses are
 * listed, with their schemas, in methods.ts; events in events.ts.
 *
 * `call` rejects with an ApiError (api-error.ts) whose `code` says what went
 * wrong. `subscribe` delivers every event of every topic, in the order the
 * service emitted them; it returns the unsubscribe function.
 */
export interface WorkbenchApi {
  call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResult<M>>;
  subscribe(listener: WorkbenchEventListener): () => void;
  /**
   * Where a transport can stream a whole `runs.export` file to the browser's
   * downloads (browser mode); absent, or undefined for this request, where
   * the caller pages through `runs.export` itself (Electron IPC).
   */
  exportDownloadUrl?(request: { runIds: string[]; format: 'json' | 'csv' }): string | undefined;
}
