import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train } from '../../../src-main/core/train/trainer';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import { restoreCheckpoint } from '../../../src-main/core/train/checkpoint-weights';
import { saveCheckpoint } from '../../../src-main/core/checkpoint/checkpoint-io';
import { selectEngine } from '../../../src-main/core/engine/engines';
import type { TrainingEvent } from '../../../src-main/shared/train/events';
import { realFashionMnist } from '../../helpers/fashion-mnist';

test('a run resumed from its epoch-0 checkpoint continues exactly as if never stopped (weights and momentum)', async () => {
  const engine = await selectEngine('wasm');
  const dataset = await realFashionMnist();
  const dir = mkdtempSync(join(tmpdir(), 'vgg-resume-'));
  // lenet has no dropout, so a seeded run is deterministic batch for batch; momentum makes
  // the optimizer state matter: losing it on resume would change every later loss.
  const config = makeRunConfig({ model: 'lenet', epochs: 2, batchSize: 50, lr: 0.05, momentum: 0.9, trainLimit: 300, testLimit: 100, seed: 3 });
  const lossesOf = (events: TrainingEvent[], epoch: number) =>
    events.flatMap((e) => (e.type === 'batch' && e.epoch === epoch ? [e.loss] : []));

  const whole: TrainingEvent[] = [];
  let checkpointPath = '';
  await train({
    config,
    dataset,
    engine,
    onEvent: (e) => whole.push(e),
    hooks: {
      afterEpoch: async (model, epoch) => {
        if (epoch === 0) checkpointPath = (await saveCheckpoint(model, join(dir, 'epoch-0.ckpt'))).path;
      },
    },
  });
  assert.ok(checkpointPath);

  const resumed: TrainingEvent[] = [];
  const result = await train({
    config,
    dataset,
    engine,
    onEvent: (e) => resumed.push(e),
    hooks: {
      restore: async (model, optimizer) => {
        await restoreCheckpoint(model, optimizer, checkpointPath);
        return 1;
      },
    },
  });
  assert.equal(result.status, 'completed');
  const start = resumed[0];
  assert.ok(start?.type === 'start' && start.firstEpoch === 1);
  assert.equal(lossesOf(resumed, 0).length, 0, 'epoch 0 is not trained again');
  const [expected, actual] = [lossesOf(whole, 1), lossesOf(resumed, 1)];
  assert.equal(actual.length, 6);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) < 1e-5, `batch ${i}: ${actual[i]} vs ${expected[i]}`);
  }
});
