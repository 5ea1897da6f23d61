import { ApiError } from './api-error';
import { createRemoteApi } from './remote-api';
import { fromWireJson, toWireJson } from './wire-json';
import type { WorkbenchApi } from './workbench-api';
import { errorMessage } from '../shared/error-message';

/** Paths of browser mode, shared by the server and this client. */
export const API_PATH_PREFIX = '/api/';
export const EVENTS_PATH = '/api/events';
/**
 * Browser mode's streamed export: GET with `runIds` (comma-separated) and
 * `format`, answered as a file download the server writes page by page.
 */
export const EXPORT_DOWNLOAD_PATH = '/download/runs.export';
/** Longer download URLs fall back to paging through the API (Node refuses request heads over 16 KB). */
const MAX_DOWNLOAD_URL = 8000;
/** Query parameter (and cookie) carrying the access token where one is required. */
export const TOKEN_PARAM = 'token';

export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  close(): void;
}
/** Opens a WebSocket; injectable because Node 20 has none built in (tests pass `ws`'s). */
export type SocketOpener = (url: string, handlers: SocketHandlers) => { close(): void };

export interface WebSocketApiOptions {
  fetch?: typeof globalThis.fetch;
  openSocket?: SocketOpener;
  /** Wait before reconnecting a dropped event socket (default 1000 ms). */
  reconnectMs?: number;
  /** The event socket connected (true) or dropped (false): events may have been missed. */
  onConnectionChange?: (connected: boolean) => void;
}

const browserSocket: SocketOpener = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.open();
  socket.onmessage = (event) => handlers.message(event.data);
  socket.onclose = () => handlers.close();
  return socket;
};

/**
 * The browser-mode client: one JSON POST per call, one WebSocket for events
 * (reopened when it drops, while anyone listens). `baseUrl` is the server's
 * origin, e.g. http://127.0.0.1:7878; `token` is the one the server printed
 * (every server requires it; a page opened with it carries it in a cookie instead).
 */
export function createWebSocketApi(
  baseUrl: string,
  token?: string,
  options: WebSocketApiOptions = {},
): WorkbenchApi {
  const base = baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const openSocket = options.openSocket ?? browserSocket;
  const reconnectMs = options.reconnectMs ?? 1000;

  async function send(method: string, request: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchImpl(`${base}${API_PATH_PREFIX}${method}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: toWireJson(request),
      });
    } catch (error) {
      throw new ApiError('unavailable', `cannot reach the workbench at ${base}: ${errorMessage(error)}`);
    }
    const text = await response.text();
    try {
      return fromWireJson(text);
    } catch {
      throw new ApiError(
        response.status === 401 ? 'unauthorized' : 'internal',
        `${method}: HTTP ${response.status} with a body that is not JSON`,
      );
    }
  }

  function listen(onEvent: (raw: unknown) => void): () => void {
    let stopped = false;
    let socket: { close(): void } | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const eventsUrl = `${base.replace(/^http/, 'ws')}${EVENTS_PATH}${
      token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''
    }`;
    const connect = (): void => {
      socket = openSocket(eventsUrl, {
        open: () => options.onConnectionChange?.(true),
        message: (data) => {
          if (typeof data !== 'string') return;
          let frame: unknown;
          try {
            frame = fromWireJson(data);
          } catch {
            return;
          }
          // The frame's event is validated by createRemoteApi; only unwrap it here.
          if (isRecord(frame) && frame.frame === 'event') onEvent(frame.event);
        },
        close: () => {
          options.onConnectionChange?.(false);
          if (!stopped) timer = setTimeout(connect, reconnectMs);
        },
      });
    };
    connect();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      socket?.close();
    };
  }

  return {
    ...createRemoteApi({ send, listen }),
    exportDownloadUrl({ runIds, format }) {
      const query = new URLSearchParams({ runIds: runIds.join(','), format, ...(token ? { [TOKEN_PARAM]: token } : {}) });
      const url = `${base}${EXPORT_DOWNLOAD_PATH}?${query.toString()}`;
      return url.length <= MAX_DOWNLOAD_URL ? url : undefined;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
