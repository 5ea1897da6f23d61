import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { makeRunConfig, type RunConfigRequest } from '../../src-main/shared/train/make-run-config';
import { presetInfos } from '../../src-main/service/preset-infos';
import { baselineRequests, dataSettingsOf, matchesBaselineRecipe, pickBaselines, trainingSettingsOf } from '../../src-renderer/src/lib/baselines';
import { tempDir } from '../core/store/store-fixtures';

const { dir, cleanup } = tempDir('baselines-');
const store = RunStore.open(join(dir, 'runs.sqlite'));
after(() => {
  store.close();
  cleanup();
});
const presets = presetInfos();
const presetOf = (id: string) => presets.find((p) => p.id === id);

let clock = 1_700_000_000_000;
function recordRun(request: RunConfigRequest, baseline: boolean, status: 'queued' | 'completed' | 'cancelled') {
  const id = store.createRun(makeRunConfig(request), { baseline, createdAt: (clock += 1000) });
  if (status !== 'queued') store.finishRun(id, { status, time: clock, epochsCompleted: 1, durationSeconds: 1 });
  return store.requireRun(id);
}

const data = { trainLimit: 512, testLimit: 100, seed: 3 };

test('baselines train on the compared images (AlexNet at the smallest side it accepts, 67 px) and as the compared run trained', () => {
  const compared = recordRun({ model: 'lenet5', resize: 28, epochs: 2, lr: 0.2, momentum: 0.5, batchSize: 32, engine: 'wasm', ...data }, false, 'completed');
  const requests = baselineRequests(['lenet', 'alexnet'], dataSettingsOf(compared), trainingSettingsOf(compared, 4), presetOf);
  assert.deepEqual(
    requests.map((r) => [r.config.model, r.config.resize, r.config.trainLimit, r.config.testLimit, r.config.seed, r.baseline]),
    [
      ['lenet', 28, 512, 100, 3, true],
      ['alexnet', 67, 512, 100, 3, true],
    ],
  );
  // Not LeNet's own recipe (batch 256, lr 0.5): the networks are what differs.
  for (const request of requests) {
    const config = makeRunConfig(request.config);
    assert.deepEqual([config.epochs, config.batchSize, config.lr, config.momentum, config.engine], [4, 32, 0.2, 0.5, 'wasm']);
  }
});

test('pinned baselines: the newest completed run on the same images, else one still queued; other data or failed ones never', () => {
  const compared = recordRun({ model: 'vgg11', widthRatio: 8, resize: 32, epochs: 1, ...data }, false, 'completed');
  const settings = dataSettingsOf(compared);
  const olderLenet = recordRun({ model: 'lenet', resize: 32, ...data }, true, 'completed');
  const newerLenet = recordRun({ model: 'lenet', resize: 32, ...data }, true, 'completed');
  recordRun({ model: 'lenet', resize: 32, ...data }, true, 'queued');
  recordRun({ model: 'lenet', resize: 32, ...data, seed: 4 }, true, 'completed');
  recordRun({ model: 'lenet', resize: 32, ...data }, false, 'completed');
  recordRun({ model: 'alexnet', resize: 67, ...data }, true, 'cancelled');
  const queuedAlexnet = recordRun({ model: 'alexnet', resize: 67, ...data }, true, 'queued');
  recordRun({ model: 'alexnet', resize: 32, ...data }, true, 'queued');

  const pinned = pickBaselines(store.listRuns(), settings, presetOf);
  assert.deepEqual(
    pinned.map((p) => [p.model, p.run?.id]),
    [
      ['lenet', newerLenet.id],
      ['alexnet', queuedAlexnet.id],
    ],
  );
  assert.notEqual(olderLenet.id, newerLenet.id);

  const otherImages = pickBaselines(store.listRuns(), { ...settings, trainLimit: 1024 }, presetOf);
  assert.deepEqual(otherImages.map((p) => p.run), [null, null]);
});

test('a compared LeNet trained with the baseline recipe on these images is the LeNet baseline; one trained otherwise is not', () => {
  const compared = recordRun({ model: 'lenet', resize: 28, epochs: 2, lr: 0.1, batchSize: 64, ...data }, false, 'completed');
  const settings = dataSettingsOf(compared);
  const recordedBaseline = recordRun({ model: 'lenet', resize: 28, epochs: 2, lr: 0.1, batchSize: 64, ...data }, true, 'completed');
  const training = trainingSettingsOf(compared);
  assert.equal(matchesBaselineRecipe(compared, 'lenet', settings, training, presetOf('lenet')), true);

  const pinned = pickBaselines(store.listRuns(), settings, presetOf, { runs: [compared], training });
  assert.deepEqual(pinned.map((p) => [p.model, p.compared]), [
    ['lenet', true],
    ['alexnet', false],
  ]);
  assert.equal(pinned[0]?.run?.id, compared.id, 'the compared run, ahead of the recorded baseline');
  // Without the compared runs, the recorded baseline is pinned, as before.
  assert.equal(pickBaselines(store.listRuns(), settings, presetOf)[0]?.run?.id, recordedBaseline.id);

  // Another lr (or more epochs than the baselines would train) is a different recipe: not the baseline.
  const otherLr = recordRun({ model: 'lenet', resize: 28, epochs: 2, lr: 0.3, batchSize: 64, ...data }, false, 'completed');
  assert.equal(matchesBaselineRecipe(otherLr, 'lenet', settings, training, presetOf('lenet')), false);
  assert.equal(matchesBaselineRecipe(compared, 'lenet', settings, { ...training, epochs: 3 }, presetOf('lenet')), false);
  assert.equal(pickBaselines(store.listRuns(), settings, presetOf, { runs: [otherLr], training })[0]?.compared, false);
});
