import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { uploadCheckpoint } from '../../src-main/queue/checkpoint-upload';
import { runKeys } from '../../src-main/queue/queue-keys';
import { TestRedis } from './redis-harness';

const MB = 1024 * 1024;

async function memory(client: ReturnType<TestRedis['client']>): Promise<{ used: number; peak: number }> {
  const info = await client.info('memory');
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)![1]);
  return { used: field('used_memory'), peak: field('used_memory_peak') };
}

/**
 * Issue #29: with a 68.9 MB checkpoint in flight Redis peaked at 167.6 MB,
 * because the new checkpoint's chunks landed (in one MULTI) before the old
 * ones were deleted. Now Redis's peak stays within about one chunk of what
 * one checkpoint occupies, the first upload and each replacement alike.
 * Measured with 69 MB (a scratch run of this code against the old MULTI):
 * old peak 174.7 MB, new 90.9 MB, with 88.4 MB used holding one checkpoint.
 */
test('Redis holds at most one checkpoint of a run: uploading and replacing a 24 MB checkpoint peaks Redis well under two checkpoints', { timeout: 60_000 }, async () => {
  const redis = await TestRedis.start();
  const client = redis.client();
  try {
    const keys = runKeys('hub0', 'run0');
    const size = 24 * MB;
    await uploadCheckpoint(client, keys, 0, 'a'.repeat(64), randomBytes(size));
    const before = await memory(client);
    await uploadCheckpoint(client, keys, 1, 'b'.repeat(64), randomBytes(size));
    const after = await memory(client);
    // Above what one checkpoint occupies: the old single MULTI doubled it (its queued commands hold every chunk until EXEC).
    const overhead = after.peak - before.used;
    process.stderr.write(`checkpoint ${size / MB} MB: used ${(before.used / MB).toFixed(1)} MB with one in Redis; peak ${(before.peak / MB).toFixed(1)} → ${(after.peak / MB).toFixed(1)} MB across the replacement\n`);
    // The old MULTI peaked a whole checkpoint above (24 MB); chunk by chunk it is about one chunk, but a
    // loaded machine lets Redis's query buffers and allocator add a few MB (8.8 seen in a full suite run).
    assert.ok(overhead < size / 2, `Redis peaked ${(overhead / MB).toFixed(1)} MB above one checkpoint`);
    assert.deepEqual((await client.keys('*checkpoint:0:*')), [], "epoch 0's chunks are gone");
    assert.equal((await client.keys('*checkpoint:1:*')).length, 24);
    assert.deepEqual(JSON.parse((await client.get(keys.checkpoint))!), { epoch: 1, bytes: size, sha256: 'b'.repeat(64), chunks: 24 });
  } finally {
    client.disconnect();
    await redis.stop();
  }
});
