import type { ApiHandlers } from '../dispatch';
import { errorMessage } from '../../shared/error-message';
import { redactUrls } from '../../shared/redact-urls';
import type { ServiceParts } from './service-parts';

export const NO_QUEUE_REASON = 'this workbench was started without a queue: start it with serve --queue redis://HOST:PORT to train on workers';

export function workerHandlers(parts: ServiceParts): Pick<ApiHandlers, 'workers.list' | 'workers.test'> {
  return {
    // An unreachable queue is an answer, not an error: the Workers panel shows why it is empty.
    'workers.list': async () => {
      // Read at each call: the desktop app may switch queues (queue.configure).
      const { queueLink } = parts;
      if (!queueLink) return { queue: null, workers: [], reason: NO_QUEUE_REASON };
      try {
        return { queue: queueLink.display, workers: await queueLink.workers(), reason: null };
      } catch (error) {
        return { queue: queueLink.display, workers: [], reason: redactUrls(errorMessage(error)) };
      }
    },
    'workers.test': async () => {
      const { queueLink } = parts;
      if (!queueLink) return { queue: null, redisVersion: null, workersSeen: 0, reason: NO_QUEUE_REASON };
      try {
        const { redisVersion, workersSeen } = await queueLink.test();
        return { queue: queueLink.display, redisVersion, workersSeen, reason: null };
      } catch (error) {
        return { queue: queueLink.display, redisVersion: null, workersSeen: 0, reason: redactUrls(errorMessage(error)) };
      }
    },
  };
}
