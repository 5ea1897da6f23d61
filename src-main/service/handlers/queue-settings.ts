import { ApiError } from '../../api/api-error';
import type { QueueSettings } from '../../api/queue-workers';
import { errorMessage } from '../../shared/error-message';
import { checkSavedQueue, queueUrlFor, QueueSettingsError, type SavedQueue } from '../queue-settings';
import type { ApiHandlers } from '../dispatch';
import type { ServiceParts } from './service-parts';

const SERVE_REFUSAL =
  "this workbench's queue comes from serve --queue URL (and --queue-ca FILE) and VGG_WORKBENCH_QUEUE_PASSWORD on the machine that serves it, never from the page";

/** The Queue panel in Data & engine: the desktop app's saved queue (queue-settings.ts). */
export function queueSettingsHandlers(parts: ServiceParts): Pick<ApiHandlers, 'queue.settings' | 'queue.configure'> {
  const answer = (saved: SavedQueue | undefined): QueueSettings => ({
    editable: true,
    url: saved?.url ?? null,
    hasPassword: Boolean(saved?.password),
    caFile: saved?.caFile ?? null,
    // The service opened with the queue saved then; anything else waits for the next start.
    restartNeeded: !sameQueue(saved, parts.queueSettingsAtOpen),
  });
  return {
    'queue.settings': () => {
      const store = parts.queueSettings;
      if (!store) return { editable: false, url: parts.queueLink?.display ?? null, hasPassword: false, caFile: null, restartNeeded: false };
      return answer(store.load());
    },
    'queue.configure': async ({ url, password, caFile }) => {
      const store = parts.queueSettings;
      if (!store) throw new ApiError('forbidden', SERVE_REFUSAL);
      // Where the service can relink, the new queue is used at once: the settings it runs with are these.
      const apply = async (saved: SavedQueue | undefined): Promise<QueueSettings> => {
        if (parts.relinkQueue) {
          await parts.relinkQueue(saved ? queueUrlFor(saved) : undefined);
          parts.queueSettingsAtOpen = saved;
        }
        return answer(saved);
      };
      const trimmed = url.trim();
      if (trimmed === '') {
        store.clear();
        return apply(undefined);
      }
      const previous = store.load();
      // An absent password or CA keeps the saved one; an empty password or a null CA removes it.
      const keptPassword = password ?? previous?.password;
      const keptCa = caFile === undefined ? previous?.caFile : (caFile ?? undefined);
      const next: SavedQueue = { url: trimmed, ...(keptPassword ? { password: keptPassword } : {}), ...(keptCa ? { caFile: keptCa } : {}) };
      try {
        store.save(checkSavedQueue(next));
      } catch (error) {
        if (error instanceof QueueSettingsError) throw new ApiError('invalid-request', error.message, { field: error.field });
        throw new ApiError('unavailable', errorMessage(error), { field: 'password' });
      }
      return apply(store.load());
    },
  };
}

const sameQueue = (a: SavedQueue | undefined, b: SavedQueue | undefined): boolean =>
  a?.url === b?.url && a?.password === b?.password && a?.caFile === b?.caFile;
