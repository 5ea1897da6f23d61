import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { makeRunConfig, type RunConfigRequest } from '../../src-main/shared/train/make-run-config';
import { presetInfos } from '../../src-main/service/preset-infos';
import {
  BASELINE_RECIPES,
  baselineRequests,
  baselineTraining,
  dataSettingsOf,
  matchesBaselineRecipe,
  pickBaselines,
  runBaselinesLabel,
} from '../../src-renderer/src/lib/baselines';
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

test('baselines train on the compared images (AlexNet at the smallest side it accepts, 67 px), each with its own recipe', () => {
  const compared = recordRun({ model: 'lenet5', resize: 28, epochs: 2, lr: 0.5, momentum: 0, batchSize: 32, engine: 'wasm', ...data }, false, 'completed');
  const training = (model: string) => baselineTraining(model, compared, 4);
  const requests = baselineRequests(['lenet', 'alexnet'], dataSettingsOf(compared), training, presetOf);
  assert.deepEqual(
    requests.map((r) => [r.config.model, r.config.resize, r.config.trainLimit, r.config.testLimit, r.config.seed, r.baseline]),
    [
      ['lenet', 28, 512, 100, 3, true],
      ['alexnet', 67, 512, 100, 3, true],
    ],
  );
  // Not the compared run's lr 0.5: AlexNet trains at its own 0.01 (issue 20), narrowed to fit a CPU.
  const [lenet, alexnet] = requests.map((request) => makeRunConfig(request.config));
  assert.deepEqual([alexnet!.epochs, alexnet!.batchSize, alexnet!.lr, alexnet!.momentum, alexnet!.engine], [4, 64, BASELINE_RECIPES.alexnet.lr, 0.9, 'wasm']);
  assert.equal(alexnet!.lr, 0.01);
  assert.deepEqual([alexnet!.widthRatio, alexnet!.denseUnits], [8, 512]);
  assert.deepEqual([lenet!.lr, lenet!.momentum, lenet!.batchSize, lenet!.widthRatio], [0.01, 0.9, 64, 1]);

  // The book's full width on request; a narrowed VGG's width otherwise.
  assert.equal(baselineTraining('alexnet', compared, 4, true).widthRatio, undefined);
  const narrowVgg = recordRun({ model: 'vgg11', widthRatio: 4, denseUnits: 1024, resize: 32, ...data }, false, 'completed');
  assert.deepEqual([baselineTraining('alexnet', narrowVgg, 2).widthRatio, baselineTraining('alexnet', narrowVgg, 2).denseUnits], [4, 1024]);
});

test('the button names the networks as they are written', () => {
  assert.equal(runBaselinesLabel(['alexnet']), 'Run the AlexNet baseline');
  assert.equal(runBaselinesLabel(['lenet', 'alexnet']), 'Run the LeNet and AlexNet baselines');
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
  const compared = recordRun({ model: 'lenet', resize: 28, epochs: 2, lr: 0.01, momentum: 0.9, batchSize: 64, ...data }, false, 'completed');
  const settings = dataSettingsOf(compared);
  const recordedBaseline = recordRun({ model: 'lenet', resize: 28, epochs: 2, lr: 0.01, momentum: 0.9, batchSize: 64, ...data }, true, 'completed');
  const training = (model: string) => baselineTraining(model, compared, 2);
  assert.equal(matchesBaselineRecipe(compared, 'lenet', settings, training('lenet'), presetOf('lenet')), true);

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
  assert.equal(matchesBaselineRecipe(otherLr, 'lenet', settings, training('lenet'), presetOf('lenet')), false);
  assert.equal(matchesBaselineRecipe(compared, 'lenet', settings, { ...training('lenet'), epochs: 3 }, presetOf('lenet')), false);
  assert.equal(pickBaselines(store.listRuns(), settings, presetOf, { runs: [otherLr], training })[0]?.compared, false);
});

test('below AlexNet’s smallest side, a recorded AlexNet baseline at any side it takes (plan 1’s 96 px) is pinned', () => {
  const compared = recordRun({ model: 'vgg11', widthRatio: 8, resize: 32, epochs: 1, ...data, seed: 7 }, false, 'completed');
  const at96 = recordRun({ model: 'alexnet', widthRatio: 8, resize: 96, ...data, seed: 7 }, true, 'completed');
  const pinned = pickBaselines(store.listRuns(), dataSettingsOf(compared), presetOf);
  assert.equal(pinned[1]?.run?.id, at96.id);
  // At a side AlexNet takes, only that side counts.
  const at96compared = recordRun({ model: 'vgg11', widthRatio: 8, resize: 96, ...data, seed: 8 }, false, 'completed');
  recordRun({ model: 'alexnet', widthRatio: 8, resize: 128, ...data, seed: 8 }, true, 'completed');
  assert.equal(pickBaselines(store.listRuns(), dataSettingsOf(at96compared), presetOf)[1]?.run, null);
});
