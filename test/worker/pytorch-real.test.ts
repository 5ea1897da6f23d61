import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRun } from '../../src-main/worker/execute-run';
import { makeRunConfig } from '../../src-main/shared/train/make-run-config';
import { PYTHON_ENV } from '../../src-main/core/engine/pytorch/find-python';
import type { RunConfigInput } from '../../src-main/shared/train/run-config';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import type { CheckpointWritten, FromWorker, RunMessage } from '../../src-main/worker/protocol';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';

/**
 * The pytorch engine with the real trainer script and torch (Debian's
 * python3-torch, found at /usr/bin/python3 past PATH's torch-less python3).
 */
const SMALL: Omit<RunConfigInput, 'epochs'> = {
  model: 'vgg11',
  blocks: [{ convs: 1, channels: 8 }, { convs: 1, channels: 16 }],
  denseUnits: 64,
  resize: 28,
  batchSize: 64,
  lr: 0.05,
  momentum: 0.9,
  trainLimit: 2048,
  testLimit: 256,
};

async function run(request: Omit<RunMessage, 'type' | 'runId' | 'datasetDir'>): Promise<{ events: TrainingEvent[]; checkpoints: CheckpointWritten[] }> {
  const messages: FromWorker[] = [];
  assert.equal(process.env[PYTHON_ENV], undefined, 'discovery, not a named Python');
  const outcome = await executeRun({ type: 'run', runId: 'r', datasetDir: REAL_DATA_DIR, ...request }, new AbortController().signal, (m) => messages.push(m));
  const events = messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
  assert.equal(outcome.status, 'completed', JSON.stringify(events.find((e) => e.type === 'error')));
  return { events, checkpoints: messages.flatMap((m) => (m.type === 'checkpoint' ? [m.checkpoint] : [])) };
}

test('a wasm checkpoint resumed on pytorch continues its loss curve, and warm-starts a pytorch run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vgg-cross-'));
  const wasm = await run({ config: makeRunConfig({ ...SMALL, epochs: 1, engine: 'wasm', threads: 1 }), checkpoint: { dir, policy: 'every' } });
  const [saved] = wasm.checkpoints;
  assert.ok(saved, 'the wasm run wrote its checkpoint');
  const wasmLast = wasm.events.filter((e) => e.type === 'batch').slice(-8);
  const wasmLoss = wasmLast.reduce((sum, e) => sum + (e.type === 'batch' ? e.loss : 0), 0) / wasmLast.length;

  const torch = await run({
    config: makeRunConfig({ ...SMALL, epochs: 2, engine: 'pytorch' }),
    resume: { path: saved.path, epoch: saved.epoch, sha256: saved.sha256 },
  });
  const start = torch.events[0];
  assert.ok(start?.type === 'start' && start.firstEpoch === 1 && start.engine.id === 'pytorch');
  // No threads asked: every core, as the other engines (torch's own default here is 1 of the 2).
  if (!process.env.OMP_NUM_THREADS) assert.equal(start.engine.threads, availableParallelism());
  const first = torch.events.filter((e) => e.type === 'batch').slice(0, 8);
  const torchLoss = first.reduce((sum, e) => sum + (e.type === 'batch' ? e.loss : 0), 0) / first.length;
  // A fresh network starts at ln 10 ≈ 2.30; resumed, the curve goes on from where wasm left it.
  assert.ok(wasmLoss < 2.0, `the wasm run learned: ${wasmLoss}`);
  assert.ok(Math.abs(torchLoss - wasmLoss) < 0.3, `pytorch's first batches (${torchLoss}) continue wasm's last (${wasmLoss})`);

  // The paper's warm start across engines: a wider network takes the layers whose name and shape match.
  const warm = await run({
    config: makeRunConfig({ ...SMALL, denseUnits: 32, epochs: 1, trainLimit: 128, engine: 'pytorch', initFrom: 'wasm-run' }),
    warmStart: { runId: 'wasm-run', path: saved.path, epoch: saved.epoch, sha256: saved.sha256 },
  });
  const warmStart = warm.events[0]?.type === 'start' ? warm.events[0].warmStart : undefined;
  assert.deepEqual(warmStart, { fromRun: 'wasm-run', epoch: 0, copied: ['block1_conv1', 'block2_conv1'], fresh: ['fc1', 'fc2', 'fc3'] });
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('after a SIGKILL of the parent the real trainer script ends too: it watches its stdin', async () => {
  const parent = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../fixtures/pytorch/run-until-killed.ts')], { stdio: 'ignore' });
  try {
    let python: number | undefined;
    const deadline = Date.now() + 60_000;
    while (python === undefined) {
      assert.ok(Date.now() < deadline, 'the trainer started within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // ps exits 1 while the parent has no child yet.
      const children = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent.pid)], { encoding: 'utf8' }).stdout.trim().split('\n');
      const trainer = children.find((line) => line.includes('vgg_trainer.py') && !line.includes('--probe'));
      if (trainer) python = Number(trainer.trim().split(/\s+/)[0]);
    }
    // Let it get into its training loop, where a step is in flight when the parent dies.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.ok(alive(python), 'the trainer runs while its parent lives');
    parent.kill('SIGKILL');
    const gone = Date.now() + 10_000;
    while (alive(python) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(python), false, `python ${python} outlived its SIGKILLed parent`);
  } finally {
    parent.kill('SIGKILL');
  }
});
