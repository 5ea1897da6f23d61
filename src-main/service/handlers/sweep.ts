import type { ApiHandlers } from '../dispatch';
import type { ServiceParts } from './service-parts';

/** The sweep view's one read: a summary row per run, never its metric points. */
export function sweepHandlers({ store }: ServiceParts): Pick<ApiHandlers, 'runs.sweep'> {
  return {
    'runs.sweep': ({ runIds, tag }) => ({ rows: store.sweepRows({ runIds, tag }) }),
  };
}
