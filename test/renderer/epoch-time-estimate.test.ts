import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import type { EngineId } from '../../src-main/shared/train/run-config';
import { estimateEpochSeconds } from '../../src-renderer/src/lib/epoch-time-estimate';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';

const { dir, cleanup } = tempDir('estimate-');
const store = RunStore.open(join(dir, 'runs.sqlite'));
after(() => {
  store.close();
  cleanup();
});

/** A run recorded the way the service records one, with its epoch seconds, MACs and images. */
function recordRun(options: { engine: EngineId; params: number; macs: number; trainSize: number; testSize: number; epochSeconds: number }) {
  const config = smallConfig({ epochs: 1 });
  const runId = store.createRun(config);
  const recorder = new RunRecorder(store, runId);
  for (const event of syntheticRun({ epochs: 1, stepsPerEpoch: 2, config })) {
    const adjusted: TrainingEvent =
      event.type === 'start'
        ? { ...event, engine: { id: options.engine, backend: options.engine, version: '1' }, params: options.params, macs: options.macs, trainSize: options.trainSize, testSize: options.testSize }
        : event.type === 'epoch'
          ? { ...event, seconds: options.epochSeconds }
          : event;
    recorder.record(adjusted);
  }
  recorder.close();
  return store.requireRun(runId);
}

test('from runs of the same network on the engine: their seconds per epoch, scaled by the images', () => {
  const runs = [
    recordRun({ engine: 'wasm', params: 1000, macs: 1e6, trainSize: 1000, testSize: 100, epochSeconds: 10 }),
    recordRun({ engine: 'wasm', params: 1000, macs: 1e6, trainSize: 1000, testSize: 100, epochSeconds: 12 }),
    recordRun({ engine: 'wasm', params: 1000, macs: 1e6, trainSize: 1000, testSize: 100, epochSeconds: 30 }),
    // Another engine, and another network on this one: not used while same-network runs exist.
    recordRun({ engine: 'cpu', params: 1000, macs: 1e6, trainSize: 1000, testSize: 100, epochSeconds: 500 }),
    recordRun({ engine: 'wasm', params: 9, macs: 5e6, trainSize: 1000, testSize: 100, epochSeconds: 1 }),
  ];
  // Ten times the images: ten times the median epoch (12 s).
  const estimate = estimateEpochSeconds({ engine: 'wasm', params: 1000, macsPerImage: 1e6, trainImages: 10_000, testImages: 1000 }, runs);
  assert.equal(estimate?.basis, 'network');
  assert.equal(estimate?.runs, 3);
  assert.ok(Math.abs(estimate!.seconds - 120) < 1e-9);
});

test('without runs of the same network: every run on the engine, scaled by MACs; none on the engine, no estimate', () => {
  const runs = [recordRun({ engine: 'tensorflow', params: 5, macs: 2e6, trainSize: 500, testSize: 500, epochSeconds: 4 })];
  // 2e6 · (3·500 + 500) MACs in 4 s = 1e9 MAC/s; 1e7 · (3·1000 + 0) = 3e10 MACs: 30 s.
  const estimate = estimateEpochSeconds({ engine: 'tensorflow', params: 77, macsPerImage: 1e7, trainImages: 1000, testImages: 0 }, runs);
  assert.deepEqual(estimate && { ...estimate, seconds: Math.round(estimate.seconds) }, { seconds: 30, basis: 'engine', runs: 1 });
  assert.equal(estimateEpochSeconds({ engine: 'tensorflow-gpu', params: 77, macsPerImage: 1e7, trainImages: 1000, testImages: 0 }, runs), null);
});
