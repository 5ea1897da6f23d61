import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPERIMENT_PLANS } from '../../../src-main/shared/plans/experiment-plans';
import { ASK_ABOVE_SECONDS, estimatePlan, estimateRequest, planSeconds } from '../../../src-main/shared/plans/plan-cost';
import { estimateRunSeconds } from '../../../src-main/shared/plans/plan-estimate';

/** The speed `vgg-workbench plans --json` measured on the 2-core machine, quiet (803.7 img/s on VGG-11/8 at 32 px). */
const speed = { imagesPerSec: 803.67, macsPerImage: 2733056 };

test('every budget of every plan has a positive time, the book budgets over an hour (they ask first) and above their quick ones', () => {
  for (const plan of EXPERIMENT_PLANS) {
    const quick = planSeconds(plan, plan.budgets.quick.defaults, speed);
    const book = planSeconds(plan, plan.budgets.book.defaults, speed);
    assert.ok(quick > 0 && Number.isFinite(quick), plan.id);
    assert.ok(book > ASK_ABOVE_SECONDS, `${plan.id} book: ${book} s`);
    assert.ok(book > quick, plan.id);
  }
});

test("a plan's runs are costed as the reference scales: the reference network itself takes its own measured speed", () => {
  const plan = EXPERIMENT_PLANS[0]!;
  const runs = estimatePlan(plan, plan.budgets.quick.defaults, speed);
  assert.deepEqual(runs.map((r) => [r.model, r.resize]), [
    ['vgg11 width/8 dense 512', 32],
    ['lenet', 32],
    ['alexnet width/8 dense 512', 96],
  ]);
  // VGG-11/8 at 32 px is the reference: 2 epochs of 60,000 training (3 passes) and 10,000 test images (1 pass).
  const expected = estimateRunSeconds({ macs: speed.macsPerImage, trainImages: 60000, testImages: 10000, epochs: 2 }, speed);
  assert.ok(Math.abs(runs[0]!.seconds - expected) < 1e-6);
  assert.ok(Math.abs(expected - (2 * (3 * 60000 + 10000)) / (3 * speed.imagesPerSec)) < 1e-6);
});

test('a request without limits costs the whole split; its recipe fills what it leaves out', () => {
  const whole = estimateRequest({ model: 'lenet' }, speed, { resize: 28, epochs: 1 });
  const tenth = estimateRequest({ model: 'lenet', trainLimit: 6000, testLimit: 1000 }, speed, { resize: 28, epochs: 1 });
  assert.equal(whole.resize, 28);
  assert.ok(Math.abs(whole.seconds / tenth.seconds - 10) < 1e-9);
});
