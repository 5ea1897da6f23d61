import { defineStore } from 'pinia';
import { ref } from 'vue';
import { chooseWorkbenchApi } from '../../../src-main/api/choose-api';
import type { WorkbenchEvent, WorkbenchTopic } from '../../../src-main/api/events';
import type { ApiMethod, ApiRequest, ApiResult } from '../../../src-main/api/methods';

export type TopicEvent<T extends WorkbenchTopic> = Extract<WorkbenchEvent, { topic: T }>;
type TopicHandler<T extends WorkbenchTopic> = (event: TopicEvent<T>) => void;

/**
 * The renderer's one door to the service: the API this environment has
 * (Electron's bridge or the page's own server) and the one event subscription,
 * whose events go to the stores that asked for their topic.
 *
 * Every event carries `seq`, one more than the last: a jump means events were
 * lost (a dropped socket), and a smaller number means the service restarted.
 * Either way the stores' `onResync` handlers reload what they show.
 */
export const useApiStore = defineStore('api', () => {
  const handlers = new Map<WorkbenchTopic, Set<(event: WorkbenchEvent) => void>>();
  const resyncHandlers = new Set<() => void>();
  let lastSeq: number | null = null;
  /** How many times events were found missing; shown so a flaky connection is visible. */
  const resyncs = ref(0);
  /** False while browser mode's event socket is down (the server stopped, the network dropped). */
  const connected = ref(true);
  let everConnected = false;

  function resync(): void {
    resyncs.value += 1;
    for (const handler of [...resyncHandlers]) handler();
  }

  const api = chooseWorkbenchApi({
    bridge: window.workbench,
    location: window.location,
    onConnectionChange: (now) => {
      const reconnected = now && !connected.value;
      connected.value = now;
      // Back after a drop: what happened meanwhile may never show up as a seq gap
      // (no event may come for a while), so reload now.
      if (reconnected && everConnected) resync();
      if (now) everConnected = true;
    },
  });

  api.subscribe((event) => {
    const missed = lastSeq !== null && event.seq !== lastSeq + 1;
    lastSeq = event.seq;
    if (missed) resync();
    for (const handler of handlers.get(event.topic) ?? []) handler(event);
  });

  function call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResult<M>> {
    return api.call(method, request);
  }

  /** Delivers every event of `topic` to `handler` for the life of the app (stores live that long). */
  function on<T extends WorkbenchTopic>(topic: T, handler: TopicHandler<T>): void {
    let set = handlers.get(topic);
    if (!set) handlers.set(topic, (set = new Set()));
    set.add(handler as (event: WorkbenchEvent) => void);
  }

  function onResync(handler: () => void): void {
    resyncHandlers.add(handler);
  }

  /** Browser mode streams a large export straight to the downloads (see WorkbenchApi). */
  const exportDownloadUrl = (request: { runIds: string[]; format: 'json' | 'csv' }): string | undefined =>
    api.exportDownloadUrl?.(request);

  return { call, on, onResync, resyncs, connected, exportDownloadUrl };
});
