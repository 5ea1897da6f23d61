import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRun, type RunOutcome } from '../../src-main/worker/execute-run';
import { makeRunConfig } from '../../src-main/shared/train/make-run-config';
import { PYTHON_ENV } from '../../src-main/core/engine/pytorch/find-python';
import type { RunConfigInput } from '../../src-main/shared/train/run-config';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import type { FromWorker } from '../../src-main/worker/protocol';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';

/** The runner against a fake trainer (test/fixtures/pytorch/fake_trainer.py) that speaks the protocol without torch. */
const FAKE_PYTHON = join(import.meta.dirname, '../fixtures/pytorch/with-torch/python3');

interface Ran {
  outcome: RunOutcome;
  events: TrainingEvent[];
  messages: FromWorker[];
}

async function runOnFake(mode: string, overrides: Partial<RunConfigInput> = {}, onEvent?: (event: TrainingEvent, abort: () => void) => void): Promise<Ran> {
  const saved = { python: process.env[PYTHON_ENV], mode: process.env.FAKE_TRAINER };
  process.env[PYTHON_ENV] = FAKE_PYTHON;
  process.env.FAKE_TRAINER = mode;
  try {
    const config = makeRunConfig({ model: 'lenet5', epochs: 2, trainLimit: 1024, testLimit: 100, engine: 'pytorch', ...overrides });
    const controller = new AbortController();
    const events: TrainingEvent[] = [];
    const messages: FromWorker[] = [];
    const outcome = await executeRun({ type: 'run', runId: 'r1', config, datasetDir: REAL_DATA_DIR }, controller.signal, (message) => {
      messages.push(message);
      if (message.type !== 'event') return;
      events.push(message.event);
      onEvent?.(message.event, () => controller.abort());
    });
    return { outcome, events, messages };
  } finally {
    for (const [key, value] of [[PYTHON_ENV, saved.python], ['FAKE_TRAINER', saved.mode]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const errorOf = (events: TrainingEvent[]): string => {
  const error = events.find((e) => e.type === 'error');
  assert.ok(error?.type === 'error', `an error event among ${events.map((e) => e.type).join(', ')}`);
  return error.message;
};

test('a run on the pytorch engine is the script\'s events, validated, with its confusion matrix and the Python that ran it', async () => {
  const { outcome, events } = await runOnFake('normal');
  assert.equal(outcome.status, 'completed');
  assert.equal(outcome.epochsDone, 2);
  assert.equal(outcome.confusion?.length, 10);
  const types = events.map((e) => e.type);
  assert.deepEqual([types[0], types.at(-1)], ['start', 'done']);
  assert.equal(types.filter((t) => t === 'epoch').length, 2);
  assert.equal(types.filter((t) => t === 'batch').length, 2 * 4);
  const start = events[0];
  assert.ok(start?.type === 'start');
  assert.equal(start.engine.id, 'pytorch');
  assert.match(start.engine.detail ?? '', new RegExp(`cpu · fake · ${FAKE_PYTHON}$`));
  // Non-finite numbers cross the pipe as {"$number": "NaN"} and arrive as numbers.
  const second = events.filter((e) => e.type === 'batch')[1];
  assert.ok(second?.type === 'batch' && Number.isNaN(second.loss));
});

test('a line of garbage on the script\'s stdout is refused by name and fails the run', async () => {
  const { outcome, events } = await runOnFake('garbage');
  assert.equal(outcome.status, 'failed');
  assert.match(errorOf(events), /the pytorch trainer wrote a line that is not JSON: "this line is not JSON"/);
  assert.equal(events.at(-1)?.type, 'error');
});

test('a Python crash mid-run is recorded as failed with the tail of its stderr', async () => {
  const { outcome, events } = await runOnFake('crash');
  assert.equal(outcome.status, 'failed');
  const message = errorOf(events);
  assert.match(message, /the pytorch trainer \(.*with-torch\/python3\) exited with code 3 before the run ended/);
  assert.match(message, /RuntimeError: the fake trainer crashed on purpose/);
});

test('cancel reaches the script and stops the run within a batch', async () => {
  let batchesAtCancel = -1;
  let batches = 0;
  const { outcome, events } = await runOnFake('slow', { epochs: 5 }, (event, abort) => {
    if (event.type !== 'batch') return;
    batches += 1;
    if (batches === 2) {
      batchesAtCancel = batches;
      abort();
    }
  });
  assert.equal(outcome.status, 'cancelled');
  const done = events.at(-1);
  assert.ok(done?.type === 'done' && done.status === 'cancelled');
  assert.ok(batches - batchesAtCancel <= 1, `${batches - batchesAtCancel} batches after the cancel`);
});

test('a device torch does not see is refused before the script trains, naming the flag', async () => {
  const { outcome, events } = await runOnFake('normal', { device: 'cuda' });
  assert.equal(outcome.status, 'failed');
  assert.match(errorOf(events), /config\.device: torch 2\.5\.1 in .* sees no cuda device \(it sees cpu\); use --device cpu or auto/);
  assert.deepEqual(events.map((e) => e.type), ['error']);
});

test('precision on an engine that does not read it is refused, naming the field and the engine that does', async () => {
  const config = makeRunConfig({ model: 'lenet5', epochs: 1, trainLimit: 64, testLimit: 64, engine: 'cpu', precision: 'bf16' });
  const messages: FromWorker[] = [];
  const outcome = await executeRun({ type: 'run', runId: 'r2', config, datasetDir: REAL_DATA_DIR }, new AbortController().signal, (m) => messages.push(m));
  assert.equal(outcome.status, 'failed');
  const events = messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
  assert.match(errorOf(events), /config\.precision: the cpu engine does not read precision bf16; use --engine pytorch/);
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('after a SIGKILL of the parent no Python is left: the closed pipe ends it', async () => {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'vgg-pytorch-')), 'python.pid');
  const parent = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../fixtures/pytorch/run-until-killed.ts')], {
    env: { ...process.env, [PYTHON_ENV]: FAKE_PYTHON, FAKE_TRAINER: 'slow', FAKE_TRAINER_PIDFILE: pidFile },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 60_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') {
      assert.ok(Date.now() < deadline, 'the fake trainer started within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const python = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(python), 'the trainer runs while its parent lives');
    parent.kill('SIGKILL');
    const gone = Date.now() + 5_000;
    while (alive(python) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(python), false, `python ${python} outlived its SIGKILLed parent`);
  } finally {
    parent.kill('SIGKILL');
  }
});
