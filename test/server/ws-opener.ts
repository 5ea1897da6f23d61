import WebSocket from 'ws';
import type { SocketOpener } from '../../src-main/api/websocket-api';

/** createWebSocketApi's socket in Node 20 (which has no WebSocket of its own), sending a browser's Origin. */
export const wsOpener =
  (origin: string): SocketOpener =>
  (url, handlers) => {
    const socket = new WebSocket(url, { origin });
    socket.on('open', () => handlers.open());
    socket.on('message', (data, isBinary) => handlers.message(isBinary ? data : data.toString('utf8')));
    socket.on('close', () => handlers.close());
    socket.on('error', () => {
      // 'close' follows and reports the drop.
    });
    return socket;
  };

/** Tries a raw socket: resolves with the socket when it opens, or the HTTP status it was refused with. */
export function tryOpenSocket(
  url: string,
  { origin, ...headers }: { origin?: string } & Record<string, string> = {},
): Promise<{ socket: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { ...(origin ? { origin } : {}), headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}
