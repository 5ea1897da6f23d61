import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventsOnce } from '../../src-main/queue/events-once';
import type { TrainingEvent } from '../../src-main/shared/train/events';

const batch = (step: number): TrainingEvent => ({ type: 'batch', time: 0, epoch: 0, step, batch: step, loss: 1, accuracy: 0.1, imagesPerSec: 1 });
const layerStep = (step: number): TrainingEvent => ({
  type: 'layerStep',
  time: 0,
  epoch: 0,
  step,
  layers: [{ layer: 'conv1', gradNorm: 1, weightNorm: 1, updateRatio: 0.01 }],
} as TrainingEvent);
const layerEpoch = (epoch: number): TrainingEvent => ({ type: 'layerEpoch', time: 0, epoch, histograms: [], dead: [] });

test('layer statistics pass once each and never end a followed run; done does', () => {
  const once = new EventsOnce();
  assert.equal(once.admit(1, batch(0)), true);
  assert.equal(once.admit(1, layerStep(0)), true);
  assert.equal(once.admit(1, layerStep(0)), false, 'a repeated layer step is dropped');
  assert.equal(once.admit(1, batch(1)), true, 'the batches after a layer step still pass');
  assert.equal(once.admit(1, layerEpoch(0)), true);
  assert.equal(once.admit(1, layerEpoch(0)), false);
  assert.equal(once.admit(1, { type: 'done', time: 0, status: 'completed', epochs: 1, seconds: 1 }), true);
  assert.equal(once.admit(1, batch(2)), false, 'nothing after the end');
});
