import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The pytorch engine end to end with the real trainer script and the real
 * torch: CI has Debian's python3-torch at /usr/bin/python3, which discovery
 * finds past PATH's python3 when that has no torch (discover-torch.test.ts).
 */
const home = mkdtempSync(join(tmpdir(), 'vgg-cli-pytorch-'));
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, VGG_WORKBENCH_HOME: home },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A VGG small enough to learn something in one short epoch: two blocks, 64 dense units, at 28 px. */
let trainedRun: string | undefined;
const SMALL = ['--model', 'vgg11', '--arch', '1x8,1x16', '--dense', '64', '--resize', '28', '--batch', '64', '--lr', '0.05', '--momentum', '0.9'];

test('train --engine pytorch records a run whose checkpoint, evaluated on wasm, gives its recorded test accuracy', () => {
  const trained = cli('train', '--engine', 'pytorch', ...SMALL, '--epochs', '1', '--train-limit', '2048', '--test-limit', '500', '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const events = trained.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; engine?: { id: string; detail?: string }; testAcc?: number });
  const start = events.find((e) => e.type === 'start');
  assert.equal(start?.engine?.id, 'pytorch');
  assert.match(start?.engine?.detail ?? '', /python/);
  const last = events.filter((e) => e.type === 'epoch').at(-1);
  assert.ok(last?.testAcc !== undefined && last.testAcc > 0.3, `it learned: test accuracy ${last?.testAcc}`);

  const runs = JSON.parse(cli('runs', 'list', '--json').stdout) as { id: string }[];
  trainedRun = runs[0]!.id;
  const evaluated = cli('evaluate', trainedRun, '--engine', 'wasm', '--test-limit', '500', '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const { accuracy, engine } = JSON.parse(evaluated.stdout) as { accuracy: number; engine: string };
  assert.equal(engine, 'wasm');
  assert.ok(Math.abs(accuracy - last.testAcc) <= 0.002, `wasm ${accuracy} against pytorch's recorded ${last.testAcc}`);
});

test('evaluate refuses the pytorch engine by name: evaluation computes with tfjs', () => {
  assert.ok(trainedRun, 'the run of the test above');
  const { code, stderr } = cli('evaluate', trainedRun, '--engine', 'pytorch');
  assert.notEqual(code, 0);
  assert.match(stderr, /Engine 'pytorch' trains runs in its own process and cannot compute here: choose one of .*wasm, cpu/);
});
