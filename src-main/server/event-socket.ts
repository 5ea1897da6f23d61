import type { WebSocket } from 'ws';
import { ApiError } from '../api/api-error';
import type { SocketFrame, WorkbenchEvent } from '../api/events';
import { toWireJson } from '../api/wire-json';

/**
 * A client that reads slower than the events come (a backgrounded tab during
 * a fast replay) is disconnected past this much unsent data, rather than
 * growing the server's memory without end; it reconnects and reloads.
 */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

type Subscribe = (listener: (event: WorkbenchEvent) => void) => () => void;

/** Feeds every service event to one browser's socket until it closes. */
export function serveEventSocket(socket: WebSocket, subscribe: Subscribe): void {
  const send = (frame: SocketFrame): void => socket.send(toWireJson(frame));
  const unsubscribe = subscribe((event) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(1013, 'events are arriving faster than they are read');
      return;
    }
    send({ frame: 'event', event });
  });
  socket.on('message', () => {
    // Calls go over HTTP; a message here is a client bug, answered so it can be seen.
    // A client that sends without reading the answers is cut off like a slow reader of events.
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(1013, 'error replies are piling up unread');
      return;
    }
    const error = new ApiError(
      'invalid-request',
      'this socket only sends events: call API methods with POST /api/<method>',
    );
    send({ frame: 'error', error: error.toBody() });
  });
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);
}
