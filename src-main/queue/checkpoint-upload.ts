import type { Redis } from 'ioredis';
import { checkpointMetaSchema, type CheckpointMeta } from './queue-messages';
import type { RunKeys } from './queue-keys';

/** Checkpoints cross Redis in chunks of this size: no single value near Redis's 512 MB cap. */
export const CHECKPOINT_CHUNK_BYTES = 1024 * 1024;

/**
 * Puts a run's newest checkpoint in Redis, holding at most one checkpoint of
 * the run there at any moment. The older checkpoint's meta and chunks are
 * deleted *before* the new chunks are written, and the chunks go one SET at a
 * time rather than in one MULTI (whose queued commands Redis holds in full
 * until EXEC): the peak is one checkpoint plus one chunk. Measured before
 * this (issue #29): a 68.9 MB checkpoint peaked Redis at 167.6 MB.
 *
 * The price: from the delete until the new meta is set, Redis holds no
 * checkpoint of the run, so a worker killed during an upload (a second or so)
 * leaves its successor to start over. The hub's store keeps every checkpoint
 * it received either way.
 */
export async function uploadCheckpoint(redis: Redis, keys: RunKeys, epoch: number, sha256: string, bytes: Buffer): Promise<CheckpointMeta> {
  const chunks = Math.max(1, Math.ceil(bytes.length / CHECKPOINT_CHUNK_BYTES));
  const meta: CheckpointMeta = { epoch, bytes: bytes.length, sha256, chunks };
  await deleteCheckpoint(redis, keys);
  for (let i = 0; i < chunks; i++) {
    await redis.set(keys.checkpointChunk(epoch, i), bytes.subarray(i * CHECKPOINT_CHUNK_BYTES, (i + 1) * CHECKPOINT_CHUNK_BYTES));
  }
  // Last: a reader that finds the meta finds every chunk it names.
  await redis.set(keys.checkpoint, JSON.stringify(meta));
  return meta;
}

/** Deletes the run's checkpoint from Redis: its meta first (no reader follows it to missing chunks), then its chunks. */
export async function deleteCheckpoint(redis: Redis, keys: RunKeys): Promise<void> {
  const previous = checkpointMetaSchema.safeParse(safeJson(await redis.get(keys.checkpoint)));
  if (!previous.success) return;
  const { epoch, chunks } = previous.data;
  await redis.del(keys.checkpoint, ...Array.from({ length: chunks }, (_, i) => keys.checkpointChunk(epoch, i)));
}

function safeJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
