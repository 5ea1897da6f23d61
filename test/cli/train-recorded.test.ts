import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunStore } from '../../src-main/core/store/run-store';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { torchMissing } from '../helpers/pytorch-trainer';

const home = mkdtempSync(join(tmpdir(), 'vgg-recorded-'));
const db = join(home, 'runs.sqlite');
const env = { ...process.env, VGG_WORKBENCH_HOME: home };
const cliArgs = (...args: string[]) => ['--import', 'tsx', 'src-main/cli/main.ts', ...args];
// 1,280 images at batch 64: 20 steps an epoch, a few seconds on the wasm engine.
const quick = ['--model', 'lenet', '--batch', '64', '--lr', '0.05', '--momentum', '0.9', '--train-limit', '1280', '--test-limit', '200', '--engine', 'wasm', '--data', REAL_DATA_DIR];

type Event = { type: string; epoch?: number; step?: number; firstEpoch?: number; testAcc?: number };

test('a training process killed mid-epoch leaves an interrupted run with its epochs; resume continues it; evaluate reads its checkpoint', async () => {
  // 1. Train, and SIGKILL the process during epoch 1 (after epoch 0 and its checkpoint).
  const child = spawn(process.execPath, cliArgs('train', ...quick, '--epochs', '3', '--db', db, '--json'), { env });
  let killedAt: Event | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as Event;
    if (event.type === 'batch' && event.epoch === 1 && event.step === 25) {
      killedAt = event;
      child.kill('SIGKILL');
      break;
    }
  }
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(killedAt, 'the run reached epoch 1 before the kill');

  // 2. The next open finds the owner dead: interrupted, with every epoch-0 point kept.
  let store = RunStore.open(db);
  const [run] = store.listRuns();
  assert.ok(run);
  assert.equal(run.status, 'interrupted');
  assert.equal(store.metrics(run.id, ['epoch.test_acc']).length, 1);
  assert.ok(store.metrics(run.id, ['batch.loss']).length >= 20);
  assert.equal(store.latestCheckpoint(run.id)?.epoch, 0);
  store.close();

  // 3. Resume: epochs 1 and 2 train, epoch 0 does not, and no point is doubled.
  const resumed = spawnSync(process.execPath, cliArgs('train', '--resume', run.id.slice(0, 5), '--db', db, '--json'), { env, encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  const events = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);
  assert.equal(events[0]!.type, 'start');
  assert.equal(events[0]!.firstEpoch, 1);
  assert.deepEqual(events.filter((e) => e.type === 'epoch').map((e) => e.epoch), [1, 2]);
  const lastEpoch = events.filter((e) => e.type === 'epoch').at(-1)!;

  store = RunStore.open(db);
  const after = store.requireRun(run.id);
  assert.equal(after.status, 'completed');
  assert.deepEqual(store.metrics(run.id, ['epoch.test_acc']).map((p) => p.epoch), [0, 1, 2]);
  const steps = store.metrics(run.id, ['batch.loss']).map((p) => p.step);
  assert.deepEqual(steps, Array.from({ length: 60 }, (_, i) => i), 'each step recorded once, in order');
  assert.equal(store.latestCheckpoint(run.id)?.epoch, 2);
  store.close();

  // 4. Evaluating the last checkpoint on the same 200 test images gives the run's own last test accuracy.
  const evaluated = spawnSync(process.execPath, cliArgs('evaluate', run.id, '--db', db, '--test-limit', '200', '--engine', 'wasm', '--json'), { env, encoding: 'utf8' });
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const result = JSON.parse(evaluated.stdout) as { accuracy: number; epoch: number; confusion: number[][]; perClassAccuracy: number[] };
  assert.equal(result.epoch, 2);
  assert.equal(result.accuracy, lastEpoch.testAcc);
  assert.equal(result.confusion.flat().reduce((a, b) => a + b, 0), 200);
  assert.equal(result.perClassAccuracy.length, 10);
});

test('resume refuses new settings, and a run with nothing left to train', () => {
  const store = RunStore.open(db);
  const [run] = store.listRuns();
  store.close();
  const clash = spawnSync(process.execPath, cliArgs('train', '--resume', run!.id, '--lr', '0.1', '--db', db), { env, encoding: 'utf8' });
  assert.equal(clash.status, 2);
  assert.match(clash.stderr, /drop --lr/);
  // What it trains is the run's; only how long and where may change.
  const network = spawnSync(process.execPath, cliArgs('train', '--resume', run!.id, '--model', 'vgg19', '--engine', 'pytorch', '--db', db), { env, encoding: 'utf8' });
  assert.equal(network.status, 2);
  assert.match(network.stderr, /drop --model \(only --epochs, --engine, --device, --precision, --threads may change: how long and where it trains\)/);
  // Where, checked as a start is: a precision the named engine does not read is the flag's fault.
  const foreign = spawnSync(process.execPath, cliArgs('train', '--resume', run!.id, '--engine', 'wasm', '--precision', 'bf16', '--epochs', '4', '--db', db), { env, encoding: 'utf8' });
  assert.equal(foreign.status, 2, foreign.stderr);
  assert.match(foreign.stderr, /--precision: the wasm engine does not read precision bf16; use --engine pytorch/);
  const done = spawnSync(process.execPath, cliArgs('train', '--resume', run!.id, '--db', db), { env, encoding: 'utf8' });
  assert.equal(done.status, 1);
  assert.match(done.stderr, /already trained 3 of its 3 epochs/);
});

test('resume --engine pytorch trains the run one more epoch on pytorch, in place', { skip: torchMissing(), timeout: 300_000 }, () => {
  let store = RunStore.open(db);
  const [run] = store.listRuns();
  store.close();
  const resumed = spawnSync(process.execPath, cliArgs('train', '--resume', run!.id, '--engine', 'pytorch', '--epochs', '4', '--db', db, '--json'), { env, encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  const events = resumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as Event & { engine?: { id: string } });
  assert.equal(events[0]!.type, 'start');
  assert.equal(events[0]!.engine?.id, 'pytorch');
  assert.deepEqual(events.filter((e) => e.type === 'epoch').map((e) => e.epoch), [3]);
  store = RunStore.open(db);
  const after = store.requireRun(run!.id);
  store.close();
  assert.equal(after.status, 'completed');
  assert.equal(after.config.engine, 'pytorch');
  assert.equal(after.engine?.id, 'pytorch');
  assert.equal(after.config.lr, run!.config.lr, 'the recipe is the run\'s own');
});
