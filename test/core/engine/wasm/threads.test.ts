import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectEngine } from '../../../../src-main/core/engine/engines';
import { loadWasmEngine } from '../../../../src-main/core/engine/wasm/wasm-engine';
import { THREADED_WASM_MAX_THREADS } from '../../../../src-main/core/engine/wasm/threaded-build';
import { prepareRig } from '../../../../src-main/core/bench/measure';
import { findWorkload } from '../../../../src-main/core/bench/workloads';

// The threaded build runs under worker_threads (tfjs keeps it off in Node), and
// computes what the single-threaded build computes: XNNPACK splits each
// product's output across threads, each element summed in the same order.

/** Losses of a few LeNet-5 SGD steps (no dropout: deterministic) on one wasm backend with a pool of `threads`. */
async function lenetLosses(threads: number): Promise<{ losses: number[]; engineThreads: number | undefined }> {
  // `threads` alone now means data-parallel replicas (data-parallel.test.ts); this file tests the threaded build.
  const engine = await loadWasmEngine({ layout: { replicas: 1, threadsPerReplica: threads } });
  const workload = { ...findWorkload('lenet-28-b256'), batchSize: 32 };
  const rig = prepareRig(workload, 7);
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) losses.push(await rig.step());
  rig.dispose();
  return { losses, engineThreads: engine.threads };
}

test('the wasm engine trains on the threads asked for, and switches between runs', async () => {
  const two = await lenetLosses(2);
  assert.equal(two.engineThreads, 2);
  assert.equal(tf.getBackend(), 'wasm');
  const one = await lenetLosses(1);
  assert.equal(one.engineThreads, 1);
  const twoAgain = await lenetLosses(2);
  assert.equal(twoAgain.engineThreads, 2);
  // Same numbers whatever the thread count; the losses also move, so steps did train.
  assert.deepEqual(two.losses, one.losses);
  assert.deepEqual(twoAgain.losses, one.losses);
  assert.notEqual(one.losses[0], one.losses[2]);
});

test('more threads than the build can run are capped, and the engine says so', async () => {
  const engine = await selectEngine('wasm', { threads: THREADED_WASM_MAX_THREADS + 4 });
  assert.equal(engine.threads, THREADED_WASM_MAX_THREADS);
  assert.equal(engine.replicas, THREADED_WASM_MAX_THREADS);
  assert.match(engine.detail ?? '', new RegExp(`${THREADED_WASM_MAX_THREADS} threads: ${THREADED_WASM_MAX_THREADS} data-parallel replicas × 1`));
});
