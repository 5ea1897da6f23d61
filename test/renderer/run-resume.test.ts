import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineStatusInfo } from '../../src-main/api/entities';
import type { RunRecord } from '../../src-main/shared/runs/run-entities';
import { runConfigSchema } from '../../src-main/shared/train/run-config';
import { engineOptions, torchDeviceOptions } from '../../src-renderer/src/lib/engine-options';
import { resumeForm, resumeOffer, toResumeRequest } from '../../src-renderer/src/lib/run-resume';

type Resumable = Pick<RunRecord, 'id' | 'status' | 'config' | 'summary' | 'epochsCompleted'>;

/** A run of `epochs` epochs that recorded `recorded` of them. */
function run(status: RunRecord['status'], epochs: number, recorded: number, config: Partial<RunRecord['config']> = {}): Resumable {
  const summary: RunRecord['summary'] =
    recorded === 0
      ? {}
      : { 'epoch.test_acc': { key: 'epoch.test_acc', count: recorded, lowerIsBetter: false, last: { value: 0.8, step: recorded - 1, epoch: recorded - 1, wallTime: 1 }, best: null } };
  return {
    id: 'r1',
    status,
    config: runConfigSchema.parse({ model: 'lenet', resize: 28, epochs, batchSize: 64, lr: 0.1, engine: 'wasm', ...config }),
    summary,
    epochsCompleted: status === 'completed' ? recorded : null,
  };
}

test('a stopped run is resumed to its own epochs; a completed one is offered as many again, at most 10 more', () => {
  assert.deepEqual(resumeOffer(run('interrupted', 5, 2)), { label: 'Resume', blocked: null, epochs: 5 });
  assert.deepEqual(resumeOffer(run('cancelled', 5, 1)), { label: 'Resume', blocked: null, epochs: 5 });
  assert.deepEqual(resumeOffer(run('completed', 1, 1)), { label: 'Train longer', blocked: null, epochs: 2 });
  assert.deepEqual(resumeOffer(run('completed', 30, 30)), { label: 'Train longer', blocked: null, epochs: 40 });
  // Stopped after its last epoch (cancelled during the final test): there is nothing left but to train longer.
  assert.equal(resumeOffer(run('cancelled', 3, 3))?.label, 'Train longer');
  assert.equal(resumeOffer(run('completed', 1000, 1000))?.epochs, 1000, 'never past the schema limit');
});

test('a queued or running run has no Resume; one that finished no epoch has it disabled, saying why', () => {
  assert.equal(resumeOffer(run('queued', 5, 0)), null);
  assert.equal(resumeOffer(run('running', 5, 2)), null);
  assert.match(resumeOffer(run('failed', 5, 0))?.blocked ?? '', /finished no epoch, so it has no checkpoint to resume from/);
  assert.equal(resumeOffer({ ...run('completed', 2, 0), epochsCompleted: 2 })?.blocked, null, 'the done event counts where the summary has none');
});

test('the request carries the epochs, and of where it trains only what changed', () => {
  const wasm = run('completed', 1, 1, { threads: 2 });
  assert.deepEqual(toResumeRequest(wasm, resumeForm(wasm)), { runId: 'r1', epochs: 2 });
  assert.deepEqual(toResumeRequest(wasm, { ...resumeForm(wasm), engine: 'pytorch' }), { runId: 'r1', epochs: 2, engine: 'pytorch' });
  assert.deepEqual(toResumeRequest(wasm, { ...resumeForm(wasm), engine: 'pytorch', precision: 'bf16', device: 'cpu' }), { runId: 'r1', epochs: 2, engine: 'pytorch', device: 'cpu', precision: 'bf16' });
  // Device and precision go only with pytorch, which reads them, as from the Launch form.
  assert.deepEqual(toResumeRequest(wasm, { ...resumeForm(wasm), precision: 'bf16' }), { runId: 'r1', epochs: 2 });
  const torch = run('interrupted', 4, 2, { engine: 'pytorch', precision: 'bf16' });
  assert.deepEqual(resumeForm(torch), { epochs: 4, engine: 'pytorch', device: 'auto', precision: 'bf16' });
  assert.deepEqual(toResumeRequest(torch, { ...resumeForm(torch), precision: 'fp32' }), { runId: 'r1', epochs: 4, precision: 'fp32' });
  assert.deepEqual(toResumeRequest(torch, { ...resumeForm(torch), engine: 'wasm' }), { runId: 'r1', epochs: 4, engine: 'wasm' });
});

test('the Engine and Device choices name what auto picks here, and mark engines that cannot run', () => {
  const adapter = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', software: true, limits: { maxBufferSize: 1, maxStorageBufferBindingSize: 1, maxComputeWorkgroupStorageSize: 1, maxComputeInvocationsPerWorkgroup: 1 } };
  const engines: EngineStatusInfo[] = [
    { id: 'wasm', available: true, package: '' },
    { id: 'webgpu', available: true, package: '', adapter },
    { id: 'tensorflow', available: false, package: '' },
    { id: 'pytorch', available: true, package: '', detail: 'cpu · torch 2.1' },
  ];
  const options = engineOptions(engines, { id: 'wasm' });
  assert.deepEqual(options[0], { value: 'auto', label: 'auto: wasm' });
  const label = (value: string) => options.find((o) => o.value === value)?.label;
  assert.equal(label('webgpu'), 'webgpu (software adapter)');
  assert.equal(label('tensorflow'), 'tensorflow (unavailable)');
  assert.equal(label('pytorch'), 'pytorch');
  assert.equal(label('cpu'), 'cpu', 'not probed: its name');
  assert.equal(engineOptions([], null)[0]?.label, 'auto');
  assert.equal(torchDeviceOptions(engines)[0]?.label, 'auto: cpu');
  assert.equal(torchDeviceOptions([])[0]?.label, 'auto: the best torch sees');
});
