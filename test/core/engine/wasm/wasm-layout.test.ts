import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateRunMemory } from '../../../../src-main/core/engine/run-memory';
import { WASM_HEAP_PER_ESTIMATED_BYTE } from '../../../../src-main/core/engine/wasm/wasm-memory';
import { machineMemoryLimit, MEMORY_LIMIT_ENV, parseMemoryLimit } from '../../../../src-main/core/engine/memory-limit';
import { candidateLayouts, describeLayout, wasmLayout } from '../../../../src-main/core/engine/wasm/wasm-layout';
import {
  estimateLayoutMemory,
  PROCESS_BASE_BYTES,
  REPLICA_THREAD_BYTES,
  THREADED_BUILD_BYTES,
} from '../../../../src-main/core/engine/wasm/wasm-layout-memory';
import { planWasmLayout, ThreadsTooManyError, plannedMemoryOf } from '../../../../src-main/core/engine/wasm/wasm-layout-plan';

const GB = 1024 ** 3;
/** The chapter's run: VGG-11 at 96×96, batch 64. */
const VGG96 = { model: 'vgg11', resize: 96, batchSize: 64 } as const;
const LENET = { model: 'lenet5', resize: 28, batchSize: 256 } as const;
const heap = (bytes: number): number => Math.round(bytes * WASM_HEAP_PER_ESTIMATED_BYTE);

test('one replica is one heap at the whole batch, plus the process', () => {
  const whole = estimateRunMemory(VGG96);
  const memory = estimateLayoutMemory(VGG96, { replicas: 1, threadsPerReplica: 1 });
  assert.deepEqual(memory.heapBytes, [heap(Math.max(whole.trainingBytes, whole.evaluationBytes))]);
  assert.equal(memory.sharedBytes, PROCESS_BASE_BYTES);
  assert.equal(memory.totalBytes, memory.sharedBytes + memory.heapBytes[0]!);
});

test('the threaded single-heap build adds its pthreads, not another heap', () => {
  const single = estimateLayoutMemory(VGG96, { replicas: 1, threadsPerReplica: 1 });
  const threaded = estimateLayoutMemory(VGG96, { replicas: 1, threadsPerReplica: 4 });
  assert.deepEqual(threaded.heapBytes, single.heapBytes);
  assert.equal(threaded.totalBytes - single.totalBytes, THREADED_BUILD_BYTES);
  assert.equal(threaded.threads, 4);
});

test('replicas each hold a heap for their shard, and share the gradient slots', () => {
  const whole = estimateRunMemory(LENET);
  const shard = estimateRunMemory({ ...LENET, batchSize: 128 });
  const memory = estimateLayoutMemory(LENET, { replicas: 2, threadsPerReplica: 1 });
  // Replica 0 also evaluates the test set at the run's evaluation batch; the helper only trains.
  assert.deepEqual(memory.heapBytes, [
    heap(Math.max(shard.trainingBytes, 4 * whole.weightBytes, whole.evaluationBytes)),
    heap(Math.max(shard.trainingBytes, 4 * whole.weightBytes)),
  ]);
  assert.equal(memory.sharedBytes, PROCESS_BASE_BYTES + REPLICA_THREAD_BYTES + 2 * whole.weightBytes);
  assert.equal(memory.totalBytes, memory.sharedBytes + memory.heapBytes[0]! + memory.heapBytes[1]!);
});

test('uneven shards are priced at their own sizes', () => {
  const memory = estimateLayoutMemory({ ...LENET, batchSize: 7 }, { replicas: 3, threadsPerReplica: 1 });
  const at = (b: number): number => estimateRunMemory({ ...LENET, batchSize: b }).trainingBytes;
  const apply = 6 * estimateRunMemory(LENET).weightBytes;
  assert.equal(memory.heapBytes[1], heap(Math.max(at(2), apply)));
  assert.equal(memory.heapBytes[2], heap(Math.max(at(2), apply)));
});

test("with many replicas of VGG-11's dense weights, applying the summed gradient outgrows the shard", () => {
  const whole = estimateRunMemory(VGG96);
  const four = estimateLayoutMemory(VGG96, { replicas: 4, threadsPerReplica: 1 });
  assert.equal(four.heapBytes[3], heap(8 * whole.weightBytes));
  // Measured (issue 24): 3.61, 5.04 and 9.15 GB at 1, 2 and 4 threads; within 25% each.
  const measured = [
    [{ replicas: 1, threadsPerReplica: 1 }, 3.61e9],
    [{ replicas: 2, threadsPerReplica: 1 }, 5.04e9],
    [{ replicas: 4, threadsPerReplica: 1 }, 9.15e9],
  ] as const;
  for (const [layout, peak] of measured) {
    const estimate = estimateLayoutMemory(VGG96, layout).totalBytes;
    assert.ok(Math.abs(estimate / peak - 1) < 0.25, `${describeLayout(layout)}: ${estimate} against ${peak}`);
  }
});

test('layouts of N threads, fastest first: a replica each, fewer replicas sharing threads, one heap', () => {
  assert.deepEqual(candidateLayouts(4).map(describeLayout), ['4 replicas', '2 replicas × 2 threads', '4 threads in one heap']);
  assert.deepEqual(candidateLayouts(1).map(describeLayout), ['1 thread']);
});

test('memory limits: sizes in binary units, shares of the machine, and clear errors', () => {
  assert.equal(parseMemoryLimit('6GB', 'x').bytes, 6 * GB);
  assert.equal(parseMemoryLimit('6 gb', 'x').bytes, 6 * GB);
  assert.equal(parseMemoryLimit('6144M', 'x').bytes, 6 * GB);
  assert.equal(parseMemoryLimit('50%', 'x', 16 * GB).bytes, 8 * GB);
  assert.throws(() => parseMemoryLimit('lots', '--memory-limit'), /--memory-limit must be a size like 6GB/);
  assert.throws(() => parseMemoryLimit('150%', 'x'), /between 0% and 100%/);
  assert.throws(() => parseMemoryLimit('6XB', 'x'), /a size like/);

  // --memory-limit over the environment over 70% of the machine.
  const env = { [MEMORY_LIMIT_ENV]: '4GB' };
  assert.equal(machineMemoryLimit({ flag: '2GB', env, machineBytes: 16 * GB }).bytes, 2 * GB);
  assert.equal(machineMemoryLimit({ env, machineBytes: 16 * GB }).bytes, 4 * GB);
  const share = machineMemoryLimit({ env: {}, machineBytes: 10 * GB });
  assert.equal(share.bytes, 7 * GB);
  assert.match(share.description, /70% of this machine's 10 GB/);
});

test('auto threads take the fastest layout that fits the limit, and say so', () => {
  const roomy = planWasmLayout(VGG96, { cores: 4, limit: machineMemoryLimit({ flag: '16GB' }) });
  assert.deepEqual(roomy.layout, { replicas: 4, threadsPerReplica: 1 });
  assert.match(roomy.summary, /^4 replicas \([\d.]+ GB planned of 16 GB\)$/);

  const six = planWasmLayout(VGG96, { cores: 4, limit: machineMemoryLimit({ flag: '6GB' }) });
  assert.ok(six.memory.totalBytes <= 6 * GB);
  assert.deepEqual(six.layout, { replicas: 2, threadsPerReplica: 2 });

  const four = planWasmLayout(VGG96, { cores: 4, limit: machineMemoryLimit({ flag: '4.5GB' }) });
  assert.deepEqual(four.layout, { replicas: 1, threadsPerReplica: 4 });

  // Nothing fits: one thread, for the wasm heap check to refuse with what to reduce.
  const none = planWasmLayout(VGG96, { cores: 4, limit: machineMemoryLimit({ flag: '1GB' }) });
  assert.deepEqual(none.layout, { replicas: 1, threadsPerReplica: 1 });

  const noReplicas = planWasmLayout(VGG96, { cores: 4, limit: machineMemoryLimit({ flag: '16GB' }), replicasAvailable: false });
  assert.deepEqual(noReplicas.layout, { replicas: 1, threadsPerReplica: 4 });
});

test('an explicit thread count that cannot fit is refused, naming the threads and the layout that would', () => {
  const limit = machineMemoryLimit({ flag: '6GB' });
  assert.deepEqual(planWasmLayout(VGG96, { threads: 2, limit }).layout, { replicas: 2, threadsPerReplica: 1 });
  assert.throws(
    () => planWasmLayout(VGG96, { threads: 4, limit }),
    (error: unknown) => {
      assert.ok(error instanceof ThreadsTooManyError);
      assert.equal(error.fittingThreads, 3);
      assert.deepEqual(error.suggestions, [{ field: 'threads', max: 3 }]);
      assert.match(error.message, /on 4 threads \(4 replicas, .*\) plans [\d.]+ GB, over the 6 GB \(--memory-limit\)/);
      assert.match(error.message, /It fits with 3 threads \(3 replicas, [\d.]+ GB\), or 4 threads in one heap on the threaded build/);
      return true;
    },
  );
});

test("the Launch view's planned memory is the layout auto threads would run, not one heap", () => {
  const limit = machineMemoryLimit({ flag: '16GB' });
  const { plannedMemory } = plannedMemoryOf(VGG96, { limit, cores: 4 });
  assert.deepEqual(plannedMemory && [plannedMemory.layout, plannedMemory.limitBytes], ['4 replicas', 16 * GB]);
  assert.equal(plannedMemory?.bytes, estimateLayoutMemory(VGG96, { replicas: 4, threadsPerReplica: 1 }).totalBytes);
  assert.deepEqual(plannedMemoryOf({ model: 'vgg11', resize: 96 }), {});
  assert.deepEqual(plannedMemoryOf({ model: 'vgg11', resize: 8, batchSize: 64 }), {}, 'too small for five pools');
});

test('a thread count lays out as a replica per thread, or one heap where the replica entry does not ship', () => {
  assert.deepEqual(wasmLayout(4, true), { replicas: 4, threadsPerReplica: 1 });
  assert.deepEqual(wasmLayout(4, false), { replicas: 1, threadsPerReplica: 4 });
  assert.deepEqual(wasmLayout(1, true), { replicas: 1, threadsPerReplica: 1 });
});
