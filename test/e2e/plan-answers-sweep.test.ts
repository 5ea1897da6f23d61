import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultExampleRunsFile } from '../../src-main/service/example-runs';
import { findPlan } from '../../src-main/shared/plans/experiment-plans';
import { planAnswer } from '../../src-main/shared/plans/plan-answer';
import { PARALLEL_AXES, PARALLEL_GRID } from '../../src-renderer/src/lib/sweep-axes';
import { FINISHED_PLAN_RUNS } from '../helpers/finished-plan';
import { chartSeries, eventually, goTo, openWorkbench, screenshot, type Workbench } from './workbench-harness';

let workbench: Workbench;

before(async () => {
  workbench = await openWorkbench({ exampleRunsFile: defaultExampleRunsFile() });
  const { service } = workbench;
  // The shipped example runs hold plan 1's quick budget, tagged with the plan: opened, they are a finished quick plan.
  await service.call('examples.open', {});
});
after(async () => {
  await workbench?.close();
});

test('#/plans/vgg-vs-baselines: the result table, its chart and the answer sentence of the finished quick plan', async () => {
  const { page, service } = workbench;
  const runs = (await service.call('runs.list', { filter: { tag: 'plan:vgg-vs-baselines' } })).runs;
  assert.deepEqual(runs.map((run) => run.id).sort(), [...FINISHED_PLAN_RUNS].sort());
  const expected = planAnswer(findPlan('vgg-vs-baselines'), runs);
  await page.goto(`${new URL(page.url()).origin}/#/plans/vgg-vs-baselines`);
  const panel = page.getByTestId('plan-result-vgg-vs-baselines');
  await panel.getByTestId('plan-answer').filter({ hasText: expected.sentence }).waitFor();
  assert.match(expected.sentence, /^LeNet beat VGG-11 by/);
  assert.equal(await page.getByTestId('plan-result-vgg-depths').count(), 0, 'the address shows that plan alone');

  assert.equal(await page.getByRole('region', { name: 'VGG-11 against LeNet and AlexNet' }).count(), 1, 'the plan’s card, named apart from its answer');
  const table = page.getByRole('region', { name: 'Answer to vgg-vs-baselines' }).getByRole('table', { name: 'Answer to vgg-vs-baselines' });
  const cells = await table.getByRole('row').evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent?.trim() ?? '')));
  assert.deepEqual(cells[0]!.slice(0, 5), ['Network', 'Final test acc.', 'Best test acc.', 's / epoch', 'Parameters']);
  assert.deepEqual(cells.slice(1).map((row) => row[0]), ['VGG-11', 'LeNet (baseline)', 'AlexNet (baseline)']);
  assert.deepEqual(cells.slice(1).map((row) => row[1]), expected.rows.map((row) => row.finalTestAcc!.toFixed(3)));

  const series = await eventually(async () => (await chartSeries(page, 'plan-chart-vgg-vs-baselines')) ?? undefined, 'the answer chart');
  const bars = series.find((s) => s.name === 'Final test accuracy')!;
  assert.deepEqual((bars.data as { value: number }[]).map((d) => d.value), expected.rows.map((row) => row.finalTestAcc));
  assert.ok(series.some((s) => s.name === 'Best test accuracy'));
  await screenshot(page, 'plan-result');
});

test('Sweep over every run: parallel coordinates, a brush on final test accuracy, the brushed runs carried to Compare', async () => {
  const { page, service } = workbench;
  await goTo(page, 'Runs');
  await page.getByRole('link', { name: 'Sweep all runs' }).click();
  await page.getByRole('heading', { name: 'Sweep', level: 1 }).waitFor();
  const all = (await service.call('runs.sweep', {})).rows;
  assert.equal(all.length, 4, 'the four example runs');
  const parallel = await eventually(async () => {
    const s = await chartSeries(page, 'sweep-parallel');
    return s?.[0]?.data.length === 4 ? s : undefined;
  }, 'four lines through the parallel axes');
  assert.equal(parallel[0]!.type, 'parallel');
  await page.getByTestId('sweep-count').filter({ hasText: '4 runs, none brushed' }).waitFor();

  // Drag down the upper half of the final test accuracy axis: the best runs are brushed.
  const box = (await page.getByTestId('sweep-parallel').boundingBox())!;
  const { left, right, top, bottom } = PARALLEL_GRID;
  const axis = PARALLEL_AXES.indexOf('finalTestAcc');
  const x = box.x + left + ((box.width - left - right) * axis) / (PARALLEL_AXES.length - 1);
  const y0 = box.y + top + 2;
  const y1 = box.y + top + (box.height - top - bottom) * 0.55;
  await page.mouse.move(x, y0);
  await page.mouse.down();
  await page.mouse.move(x, (y0 + y1) / 2, { steps: 4 });
  await page.mouse.move(x, y1, { steps: 4 });
  await page.mouse.up();
  const counted = await eventually(async () => {
    const text = (await page.getByTestId('sweep-count').textContent()) ?? '';
    const match = /(\d+) of 4 runs selected/.exec(text);
    return match ? Number(match[1]) : undefined;
  }, 'a brushed selection');
  assert.ok(counted > 0 && counted < 4, `a brush on the upper half selects some runs, not all: ${counted}`);
  const best = [...all].sort((a, b) => b.finalTestAcc! - a.finalTestAcc!).slice(0, counted).map((row) => row.id);
  await screenshot(page, 'sweep');

  await page.getByTestId('sweep-compare').click();
  await page.getByRole('heading', { name: 'Compare', level: 1 }).waitFor();
  const compared = new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('runs')?.split(',') ?? [];
  assert.deepEqual([...compared].sort(), [...best].sort(), 'Compare gets the runs with the highest final test accuracy, the ones brushed');

  // By tag, as the plan's answer links to it: the plan's three runs only.
  await page.goto(`${new URL(page.url()).origin}/#/sweep?tag=plan:vgg-vs-baselines`);
  await page.getByTestId('sweep-count').filter({ hasText: '3 runs, none brushed' }).waitFor();
  assert.deepEqual(workbench.pageErrors, []);
});
