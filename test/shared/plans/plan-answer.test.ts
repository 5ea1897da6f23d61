import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPlan } from '../../../src-main/shared/plans/experiment-plans';
import { planAnswer, planVariable, type AnswerRun } from '../../../src-main/shared/plans/plan-answer';
import { seedRequests, settingsOfRuns } from '../../../src-main/shared/plans/plan-seeds';
import { API_METHODS } from '../../../src-main/api/methods';
import type { MetricSummary, RunStatus } from '../../../src-main/shared/runs/run-entities';
import type { RunConfig } from '../../../src-main/shared/train/run-config';

const baselines = findPlan('vgg-vs-baselines');
const depths = findPlan('vgg-depths');
const resolution = findPlan('vgg-resolution');

let clock = 1_000;
interface Fake {
  model: string;
  acc?: number;
  best?: number;
  seconds?: number;
  seed?: number;
  status?: RunStatus;
  resize?: number;
  baseline?: boolean;
  initFrom?: string;
  lr?: number;
}
/** A run of the quick recipe as the store hands it out: final and best test accuracy, seconds over 2 epochs. */
function run({ model, acc, best, seconds = 100, seed = 1, status = 'completed', resize = 32, baseline = false, initFrom, lr = 0.01 }: Fake): AnswerRun {
  clock += 1;
  const summary: Record<string, MetricSummary> = {};
  if (acc !== undefined) {
    summary['epoch.test_acc'] = {
      key: 'epoch.test_acc',
      count: 2,
      lowerIsBetter: false,
      last: { value: acc, step: 1, epoch: 1, wallTime: clock },
      best: { value: best ?? acc, step: 1, epoch: 1 },
    };
  }
  const config: RunConfig = {
    model, resize, epochs: 2, batchSize: 64, lr, momentum: 0.9, widthRatio: 8, seed, engine: 'wasm', trainLimit: 60000, testLimit: 10000,
    ...(initFrom ? { initFrom } : {}),
  };
  return {
    id: `${model}-${resize}-${seed}-${clock}`, status, createdAt: clock, config, model, baseline, params: 1000,
    durationSeconds: status === 'completed' ? seconds * 2 : null, epochsCompleted: status === 'completed' ? 2 : null, summary,
  };
}

test('each plan names what it varies: network, depth, image size', () => {
  assert.equal(planVariable(baselines), 'network');
  assert.equal(planVariable(depths), 'depth');
  assert.equal(planVariable(resolution), 'image size');
});

test('a clear winner: who, by how many points, at what time per epoch, and that one seed cannot tell', () => {
  const answer = planAnswer(baselines, [
    run({ model: 'vgg11', acc: 0.8208, best: 0.8208, seconds: 140 }),
    run({ model: 'lenet', acc: 0.8515, seconds: 56, baseline: true }),
    run({ model: 'alexnet', acc: 0.8368, seconds: 73, resize: 96, baseline: true }),
  ]);
  assert.deepEqual(answer.rows.map((r) => r.label), ['VGG-11', 'LeNet', 'AlexNet'], 'in the plan’s own order');
  assert.equal(answer.complete, true);
  assert.equal(answer.seedsPerRow, 1);
  assert.deepEqual(answer.rows.map((r) => r.baseline), [false, true, true]);
  assert.equal(answer.rows[0]!.secondsPerEpoch, 140);
  assert.equal(
    answer.sentence,
    'LeNet beat AlexNet by 1.5 points (0.852 vs 0.837) at 0.77× the time per epoch, but with one seed a gap this size cannot be told from seed noise: run again with 3 seeds; then VGG-11 0.821.',
  );
});

test('three seeds: a gap beyond their spread is stated as a win, a gap inside it as a tie', () => {
  const seeds = (model: string, accs: number[], seconds: number) => accs.map((acc, i) => run({ model, acc, seconds, seed: i + 1 }));
  const clear = planAnswer(depths, [...seeds('vgg11', [0.85, 0.86, 0.855], 50), ...seeds('vgg16', [0.87, 0.872, 0.871], 145)]);
  assert.equal(clear.seedsPerRow, 3);
  assert.deepEqual(clear.rows[1]!.finalTestAccRange, [0.87, 0.872]);
  assert.equal(
    clear.sentence,
    'VGG-16 beat VGG-11 by 1.6 points (0.871 vs 0.855) at 2.9× the time per epoch, beyond the 1.0-point spread of 3 seeds.',
  );
  const tie = planAnswer(depths, [...seeds('vgg11', [0.84, 0.87, 0.855], 50), ...seeds('vgg16', [0.86, 0.872, 0.866], 145)]);
  assert.equal(
    tie.sentence,
    'VGG-16 and VGG-11 are level within seed noise: 0.866 vs 0.855 (means of 3 seeds), a 1.1-point gap inside a 3.0-point spread between seeds; VGG-16 takes 2.9× the time per epoch.',
  );
});

test('one seed against three: the rows with one seed decide, so the sentence still asks for more seeds', () => {
  const answer = planAnswer(depths, [
    run({ model: 'vgg11', acc: 0.85, seed: 1 }),
    run({ model: 'vgg16', acc: 0.8, seed: 1 }),
    run({ model: 'vgg16', acc: 0.81, seed: 2 }),
    run({ model: 'vgg16', acc: 0.82, seed: 3 }),
  ]);
  assert.deepEqual(answer.rows.map((r) => r.seeds), [[1], [1, 2, 3]]);
  assert.equal(answer.seedsPerRow, 1);
  assert.match(answer.sentence, /^VGG-11 beat VGG-16 by 4\.0 points \(0\.850 vs 0\.810\).*with one seed a gap this size cannot be told from seed noise/);
});

test('an incomplete plan says what has finished and what is still to come, and names a run that stopped', () => {
  const answer = planAnswer(baselines, [
    run({ model: 'vgg11', status: 'running' }),
    run({ model: 'lenet', acc: 0.8515, baseline: true }),
    run({ model: 'alexnet', status: 'failed', resize: 96, baseline: true }),
  ]);
  assert.equal(answer.complete, false);
  assert.equal(answer.rows[0]!.pending, 1);
  assert.equal(answer.rows[2]!.unfinished, 1);
  assert.equal(
    answer.sentence,
    'No answer yet: 1 of 3 networks finished (LeNet 0.852); VGG-11 is still queued or training; AlexNet stopped without finishing: queue it again.',
  );
  assert.match(planAnswer(baselines, []).sentence, /^No runs of “VGG-11 against LeNet and AlexNet” yet/);
});

test('runs of another recipe are left out and counted; a re-run of a seed replaces the older run', () => {
  const old = run({ model: 'vgg11', acc: 0.5, lr: 0.05 });
  const first = run({ model: 'vgg11', acc: 0.6 });
  const again = run({ model: 'vgg11', acc: 0.7 });
  const other = run({ model: 'lenet', acc: 0.8, baseline: true });
  const answer = planAnswer(baselines, [old, first, again, other]);
  assert.equal(answer.otherRecipeRuns, 1);
  assert.deepEqual(answer.rows[0]!.runIds, [again.id]);
  assert.equal(answer.rows[0]!.finalTestAcc, 0.7);
});

test('every row near chance: nothing learned, and no winner is named', () => {
  const answer = planAnswer(depths, [run({ model: 'vgg11', acc: 0.1 }), run({ model: 'vgg19', acc: 0.1 })]);
  assert.match(answer.sentence, /^Nothing learned: every network ended near chance \(best 0\.100\)/);
});

test('image sizes are rows of the resolution plan, and warm starts rows of their own in the depth plan', () => {
  const sizes = planAnswer(resolution, [run({ model: 'vgg11', resize: 224, acc: 0.53, seconds: 170, seed: 0 }), run({ model: 'vgg11', resize: 96, acc: 0.52, seconds: 46, seed: 0 })]);
  assert.deepEqual(sizes.rows.map((r) => r.label), ['96 px', '224 px']);
  assert.match(sizes.sentence, /^224 px beat 96 px by 1\.0 points \(0\.530 vs 0\.520\) at 3\.7× the time per epoch/);
  const warm = planAnswer(depths, [run({ model: 'vgg11', acc: 0.5 }), run({ model: 'vgg19', acc: 0.1 }), run({ model: 'vgg19', acc: 0.45, initFrom: 'abc' })]);
  assert.deepEqual(warm.rows.map((r) => r.label), ['VGG-11', 'VGG-19', 'VGG-19 (warm start)']);
});

test('run again with 3 seeds: the plan once per missing seed, its warm starts pointing into their own copy', () => {
  const runs = [run({ model: 'vgg11', acc: 0.5 }), run({ model: 'vgg16', acc: 0.4 })];
  const answer = planAnswer(depths, runs);
  const settings = settingsOfRuns(depths, runs.map((r) => r.config));
  assert.equal(settings.lr, 0.01);
  assert.equal(settings.widthRatio, 8);
  const { seeds, requests } = seedRequests(depths, settings, answer, [1, 2, 3], ['budget:quick']);
  assert.deepEqual(seeds, [2, 3], 'seed 1 is recorded for every row');
  assert.equal(requests.length, 12);
  assert.deepEqual(requests.map((r) => r.config.seed), [2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
  assert.deepEqual(requests.filter((r) => r.config.initFrom).map((r) => r.config.initFrom), ['#0', '#0', '#6', '#6']);
  assert.ok(requests.every((r) => r.tags.includes('plan:vgg-depths') && r.tags.includes('budget:quick')));
  // What the button sends is what runs.startQueue accepts.
  API_METHODS['runs.startQueue'].request.parse({ runs: requests });
});

test('seeds still training: the one-seed answer so far, and how many runs are to come instead of asking for more', () => {
  const answer = planAnswer(depths, [
    run({ model: 'vgg11', acc: 0.85, seed: 1 }),
    run({ model: 'vgg16', acc: 0.8, seed: 1 }),
    run({ model: 'vgg11', seed: 2, status: 'queued' }),
    run({ model: 'vgg16', seed: 2, status: 'queued' }),
  ]);
  assert.equal(answer.complete, true);
  assert.equal(
    answer.sentence,
    'VGG-11 beat VGG-16 by 5.0 points (0.850 vs 0.800) at 1.0× the time per epoch, but with one seed a gap this size cannot be told from seed noise; 2 more runs are queued or training.',
  );
});

test('a run of the chapter’s own recipe brings the chapter’s printed test accuracy as the chart’s reference', () => {
  const book: AnswerRun = { ...run({ model: 'vgg11', acc: 0.84 }) };
  book.config = { ...book.config, resize: 96, lr: 0.05, batchSize: 64, momentum: 0, widthRatio: 1, epochs: 1 };
  const answer = planAnswer(depths, [book]);
  assert.deepEqual(answer.referenceBands.map((band) => [band.id, band.low]), [['chapter-vgg11-testAcc', 0.83]]);
  assert.deepEqual(planAnswer(depths, [run({ model: 'vgg11', acc: 0.84 })]).referenceBands, [], 'the quick recipe matches no published one');
});
