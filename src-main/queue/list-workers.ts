import type { Redis } from 'ioredis';
import { WORKER_KEY_PATTERN } from './queue-keys';
import { workerAnnouncementSchema, type WorkerAnnouncement } from './queue-messages';

/** Workers whose announcement has not expired (each lives WORKER_TTL_MS without a heartbeat), by name. */
export async function listWorkers(redis: Redis): Promise<WorkerAnnouncement[]> {
  const found: WorkerAnnouncement[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', WORKER_KEY_PATTERN, 'COUNT', 100);
    cursor = next;
    for (const key of keys) {
      const text = await redis.get(key);
      if (text === null) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      const parsed = workerAnnouncementSchema.safeParse(value);
      if (parsed.success) found.push(parsed.data);
    }
  } while (cursor !== '0');
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
