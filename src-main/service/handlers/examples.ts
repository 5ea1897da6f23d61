import type { ApiHandlers } from '../dispatch';
import type { ServiceParts } from './service-parts';

/** The shipped example runs: offered to an empty database once, opened and removed in one call each. */
export function exampleHandlers({ examples, hub }: ServiceParts): Pick<ApiHandlers, 'examples.status' | 'examples.open' | 'examples.remove'> {
  return {
    'examples.status': () => examples.state(),
    'examples.open': () => {
      const runs = examples.open();
      if (runs.length > 0) hub.emit({ topic: 'runs', change: 'created', runIds: runs.map((run) => run.id) });
      return examples.state();
    },
    'examples.remove': () => {
      const removed = examples.remove();
      if (removed.length > 0) hub.emit({ topic: 'runs', change: 'deleted', runIds: removed });
      return { ...examples.state(), removed };
    },
  };
}
