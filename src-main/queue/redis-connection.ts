import { Redis } from 'ioredis';
import type { QueueAddress } from './queue-url';
import { redactSecret } from './queue-url';
import { errorMessage } from '../shared/error-message';
import { connectionNotice, isConnectionError } from './connection-notice';

export class QueueUnreachableError extends Error {}

/**
 * Checks once that the queue answers and accepts our password, so a wrong
 * password or address is one clear error naming the URL (without its
 * password) rather than an endless reconnect loop.
 */
export async function checkQueueReachable(address: QueueAddress, timeoutMs = 5000): Promise<void> {
  const probe = new Redis({
    ...address.redis,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The cause (WRONGPASS, ECONNREFUSED) arrives as an 'error' event; connect() only says the connection closed.
  let cause: unknown;
  probe.on('error', (error: unknown) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const why = redactSecret(errorMessage(cause ?? error), address.redis.password);
    const hint = /WRONGPASS|NOAUTH|invalid password|invalid username/i.test(why)
      ? ` (put the password in the URL, as :PASSWORD@ before the host, or in VGG_WORKBENCH_QUEUE_PASSWORD)`
      : '';
    throw new QueueUnreachableError(`cannot use the queue at ${address.display}: ${why}${hint}`);
  } finally {
    probe.disconnect();
  }
}

/**
 * A long-lived connection: it reconnects forever (a restarted Redis is waited
 * for) and resends what was in flight, as BullMQ requires
 * (maxRetriesPerRequest: null). Connection errors are reported redacted.
 */
export function openRedis(address: QueueAddress, onError: (message: string) => void): Redis {
  const redis = new Redis({
    ...address.redis,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
  const redact = (text: string): string => redactSecret(text, address.redis.password);
  const notice = connectionNotice(address.display, onError, redact);
  let lastReported = 0;
  redis.on('error', (error: unknown) => {
    // A restart produces one error per retry: the notice says it once, for every connection of this process.
    if (isConnectionError(error)) {
      notice.lost(error);
      return;
    }
    if (Date.now() - lastReported < 10_000) return;
    lastReported = Date.now();
    onError(`queue ${address.display}: ${redact(errorMessage(error))}`);
  });
  redis.on('ready', () => notice.back());
  return redis;
}
