import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRunSchema } from '../../../src-main/api/methods';
import { makeRunConfig } from '../../../src-main/shared/train/make-run-config';
import { checkRunFits } from '../../../src-main/core/train/memory-estimate';
import { resolveNetwork } from '../../../src-main/shared/models/presets';
import { EXPERIMENT_PLANS, PLAN_BUDGETS, findPlan, planRequests } from '../../../src-main/shared/plans/experiment-plans';
import { planVariable } from '../../../src-main/shared/plans/plan-answer';

test('every plan, in both budgets, queues requests the API accepts, for networks that fit their images and engine', () => {
  assert.deepEqual(
    EXPERIMENT_PLANS.map((plan) => plan.id),
    ['vgg-vs-baselines', 'vgg-depths', 'vgg-resolution', 'vgg-warm-start'],
  );
  for (const plan of EXPERIMENT_PLANS) {
    for (const budget of PLAN_BUDGETS) {
      const requests = planRequests(plan, plan.budgets[budget].defaults);
      assert.ok(requests.length >= 2, `${plan.id} compares at least two runs`);
      for (const request of requests) {
        const parsed = startRunSchema.parse(request);
        const config = makeRunConfig(parsed.config);
        // Quick budgets must fit the wasm heap; the book's are for a GPU (its 4096-unit heads are large).
        const engine = budget === 'quick' ? 'wasm' : 'tensorflow-gpu';
        assert.doesNotThrow(() => checkRunFits(config, engine), `${plan.id} ${budget}: ${config.model} at ${config.resize} px`);
        assert.equal(parsed.tags?.[0], `plan:${plan.id}`);
      }
    }
  }
});

test('the book budget is the chapter’s: full width, 4096 dense units, 96 px, lr 0.05, batch 64, all 60,000 images; AlexNet is the book’s own', () => {
  for (const plan of EXPERIMENT_PLANS) {
    for (const request of planRequests(plan, plan.budgets.book.defaults)) {
      const config = makeRunConfig(startRunSchema.parse(request).config);
      assert.deepEqual([config.lr, config.batchSize, config.trainLimit], [0.05, 64, 60000], plan.id);
      if (config.model.startsWith('vgg')) {
        assert.deepEqual([config.widthRatio, config.denseUnits], [1, 4096]);
        if (plan.sharedResize) assert.equal(config.resize, 96);
      }
      if (config.model === 'alexnet') assert.equal(resolveNetwork(config).name, 'alexnet');
    }
  }
});

test('exercise 1 quick: all 60,000 images, AlexNet narrowed like the VGG and fed at least 67 px, LeNet unscaled', () => {
  const plan = findPlan('vgg-vs-baselines');
  const quick = plan.budgets.quick.defaults;
  assert.equal(quick.trainLimit, 60000);
  const requests = planRequests(plan, quick);
  assert.deepEqual(
    requests.map((r) => [r.config.model, r.baseline ?? false, r.config.widthRatio]),
    [
      ['vgg11', false, quick.widthRatio],
      ['lenet', true, undefined],
      ['alexnet', true, quick.widthRatio],
    ],
  );
  const alexnet = requests[2]!.config;
  assert.ok(alexnet.resize! >= 67, 'AlexNet’s 11×11 stride-4 stem needs at least 67 px');
  assert.equal(requests[0]!.config.resize, quick.resize);
});

test('the warm-start plan: VGG-11, then VGG-19 from random weights and from that VGG-11, on all the images', () => {
  const plan = findPlan('vgg-warm-start');
  const quick = plan.budgets.quick.defaults;
  assert.equal(quick.trainLimit, 60000);
  const requests = planRequests(plan, quick);
  assert.deepEqual(
    requests.map((r) => [r.config.model, r.config.initFrom, r.tags.includes('warm-start')]),
    [
      ['vgg11', undefined, false],
      ['vgg19', undefined, false],
      ['vgg19', '#0', true],
    ],
  );
  // The answer reads it as depth, with the warm start a row of its own.
  assert.equal(planVariable(plan), 'depth');
});

test('every run of a plan trains with the plan’s one recipe, not each preset’s own (LeNet’s lr 0.5 diverges at 96 px)', () => {
  for (const plan of EXPERIMENT_PLANS) {
    const recipe = { batchSize: 32, lr: 0.02, momentum: 0.5, seed: 7 };
    for (const request of planRequests(plan, { ...plan.budgets.quick.defaults, ...recipe })) {
      const config = makeRunConfig(startRunSchema.parse(request).config);
      assert.deepEqual([config.batchSize, config.lr, config.momentum, config.seed], [32, 0.02, 0.5, 7], `${plan.id}: ${config.model}`);
    }
  }
});

test('exercise 2 runs the four depths cold, then VGG-16 and VGG-19 warm-started from the queue’s own VGG-11', () => {
  const depths = findPlan('vgg-depths');
  const requests = planRequests(depths, depths.budgets.quick.defaults);
  assert.deepEqual(
    requests.map((r) => [r.config.model, r.config.initFrom]),
    [
      ['vgg11', undefined],
      ['vgg13', undefined],
      ['vgg16', undefined],
      ['vgg19', undefined],
      ['vgg16', '#0'],
      ['vgg19', '#0'],
    ],
  );
  assert.ok(requests.slice(4).every((r) => r.tags.includes('warm-start')));
  const resolution = findPlan('vgg-resolution');
  assert.deepEqual(
    planRequests(resolution, { ...resolution.budgets.quick.defaults, resize: 32 }).map((r) => r.config.resize),
    [96, 224],
  );
});
