import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRunSchema } from '../../src-main/api/methods';
import { makeRunConfig } from '../../src-main/core/train/make-run-config';
import { checkRunFits } from '../../src-main/core/train/memory-estimate';
import { EXPERIMENT_PLANS, planRequests } from '../../src-renderer/src/lib/experiment-plans';

test('every plan, as shipped, queues requests the API accepts, for networks that fit their images and the wasm heap', () => {
  assert.deepEqual(
    EXPERIMENT_PLANS.map((plan) => plan.id),
    ['vgg-vs-baselines', 'vgg-depths', 'vgg-resolution'],
  );
  for (const plan of EXPERIMENT_PLANS) {
    const requests = planRequests(plan, plan.defaults);
    assert.ok(requests.length >= 2, `${plan.id} compares at least two runs`);
    for (const request of requests) {
      const parsed = startRunSchema.parse(request);
      const config = makeRunConfig(parsed.config);
      // Refused before anything is allocated when the images are too small or the run too large.
      assert.doesNotThrow(() => checkRunFits(config, 'wasm'), `${plan.id}: ${config.model} at ${config.resize} px`);
      assert.deepEqual(parsed.tags, [`plan:${plan.id}`]);
    }
  }
});

test('exercise 1 pins LeNet and AlexNet as baselines on the VGG’s images; the VGG settings reach only the VGGs', () => {
  const plan = EXPERIMENT_PLANS.find((p) => p.id === 'vgg-vs-baselines')!;
  const requests = planRequests(plan, { ...plan.defaults, resize: 128, widthRatio: 4 });
  assert.deepEqual(
    requests.map((r) => [r.config.model, r.config.resize, r.baseline ?? false, r.config.widthRatio]),
    [
      ['vgg11', 128, false, 4],
      ['lenet', 128, true, undefined],
      ['alexnet', 128, true, undefined],
    ],
  );
  assert.ok(requests.every((r) => r.config.trainLimit === plan.defaults.trainLimit && r.config.epochs === plan.defaults.epochs));
});

test('every run of a plan trains with the plan’s one recipe, not each preset’s own (LeNet’s lr 0.5 diverges at 96 px)', () => {
  for (const plan of EXPERIMENT_PLANS) {
    const recipe = { batchSize: 32, lr: 0.02, momentum: 0.5 };
    for (const request of planRequests(plan, { ...plan.defaults, ...recipe })) {
      const config = makeRunConfig(startRunSchema.parse(request).config);
      assert.deepEqual([config.batchSize, config.lr, config.momentum], [32, 0.02, 0.5], `${plan.id}: ${config.model}`);
    }
  }
});

test('exercise 3 keeps its two sizes whatever size is set; exercise 2 runs the four depths of the paper', () => {
  const resolution = EXPERIMENT_PLANS.find((p) => p.id === 'vgg-resolution')!;
  assert.deepEqual(
    planRequests(resolution, { ...resolution.defaults, resize: 32 }).map((r) => r.config.resize),
    [96, 224],
  );
  const depths = EXPERIMENT_PLANS.find((p) => p.id === 'vgg-depths')!;
  assert.deepEqual(
    planRequests(depths, depths.defaults).map((r) => r.config.model),
    ['vgg11', 'vgg13', 'vgg16', 'vgg19'],
  );
});
