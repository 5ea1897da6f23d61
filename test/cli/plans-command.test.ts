import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'vgg-plans-'));
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, VGG_WORKBENCH_HOME: home },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('`plans --json` lists the three plans with both budgets, their runs and a time estimated on this engine', () => {
  const { code, stdout, stderr } = cli('plans', '--json', '--engine', 'wasm');
  assert.equal(code, 0, stderr);
  const listed = JSON.parse(stdout) as {
    engine: string;
    speed: { imagesPerSec: number };
    plans: { id: string; budgets: Record<string, { runs: { model: string; seconds: number }[]; estimatedSeconds: number }> }[];
  };
  assert.equal(listed.engine, 'wasm');
  assert.ok(listed.speed.imagesPerSec > 0);
  assert.deepEqual(listed.plans.map((p) => p.id), ['vgg-vs-baselines', 'vgg-depths', 'vgg-resolution', 'vgg-warm-start']);
  for (const plan of listed.plans) {
    assert.deepEqual(Object.keys(plan.budgets), ['quick', 'book']);
    const { quick, book } = plan.budgets;
    assert.ok(quick!.estimatedSeconds > 0);
    // The book's full-width networks at 96 px cost more than the narrow quick ones on the same engine.
    assert.ok(book!.estimatedSeconds > quick!.estimatedSeconds, plan.id);
  }
  const depths = listed.plans.find((p) => p.id === 'vgg-depths')!;
  assert.equal(depths.budgets.quick!.runs.length, 6, 'four depths, then VGG-16 and VGG-19 warm-started');
});

test('`plans run` refuses an unknown plan, and a warm-starting plan without checkpoints, before training', () => {
  const unknown = cli('plans', 'run', 'nope');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown plan "nope": choose one of vgg-vs-baselines, vgg-depths, vgg-resolution, vgg-warm-start/);
  const noCheckpoints = cli('plans', 'run', 'vgg-depths', '--checkpoints', 'none', '--db', join(home, 'x.sqlite'));
  assert.equal(noCheckpoints.code, 2);
  assert.match(noCheckpoints.stderr, /warm-starts runs from an earlier run's checkpoint/);
});
