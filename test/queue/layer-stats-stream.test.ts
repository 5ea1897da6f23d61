import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { recordedEvents } from '../../src-main/core/store/recorded-events';
import { RunApplier } from '../../src-main/queue/run-applier';
import { streamMessageSchema, type StreamMessage } from '../../src-main/queue/queue-messages';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';

/** The synthetic run with a layer event after each batch and after each epoch, as a worker's stream carries them. */
function withLayerStats(): TrainingEvent[] {
  return syntheticRun().flatMap((event): TrainingEvent[] => {
    if (event.type === 'batch') {
      return [event, { type: 'layerStep', time: event.time, epoch: event.epoch, step: event.step, layers: [{ layer: 'conv1', gradNorm: 1e-4, weightNorm: 1, updateRatio: 5e-6 }] }];
    }
    if (event.type === 'epoch') {
      return [event, { type: 'layerEpoch', time: event.time, epoch: event.epoch, histograms: [], dead: [{ block: 'block1', fraction: 0.5 }] }];
    }
    return [event];
  });
}

test("a queued run's layer statistics arrive through the stream and are recorded once, even when a message comes twice", async () => {
  const { dir, cleanup } = tempDir('layer-stream-');
  const store = RunStore.open(join(dir, 'hub.sqlite'));
  try {
    const runId = store.createRun(smallConfig());
    const applier = new RunApplier(store, runId, async () => undefined, (error) => assert.fail(String(error)));
    const events = withLayerStats();
    for (const event of events) {
      // Each entry is validated as the hub validates what it reads from Redis.
      const message = streamMessageSchema.parse(JSON.parse(JSON.stringify({ type: 'event', attempt: 1, worker: 'w1', event }))) as StreamMessage;
      await applier.apply(message);
      // Redis redelivers an unacknowledged entry after a crash: the same layer event again.
      if (event.type === 'layerStep' && event.step === 3) await applier.apply(message);
    }
    applier.flush();
    applier.close();
    const layerEvents = (list: TrainingEvent[]) => list.filter((e) => e.type === 'layerStep' || e.type === 'layerEpoch');
    assert.equal(store.layerStats.events(runId).length, layerEvents(events).length);
    assert.deepEqual(layerEvents(recordedEvents(store, runId)), layerEvents(events));
  } finally {
    store.close();
    cleanup();
  }
});

test('a stream entry whose layer statistics are malformed is refused by the schema, naming the field', () => {
  const bad = { type: 'event', attempt: 1, worker: 'w1', event: { type: 'layerStep', time: 1, epoch: 0, step: 0, layers: [{ layer: 'conv1', gradNorm: 'big', weightNorm: 1, updateRatio: 0 }] } };
  const parsed = streamMessageSchema.safeParse(bad);
  assert.equal(parsed.success, false);
  assert.match(JSON.stringify(parsed.error?.issues), /gradNorm/);
});
