import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bestWindowRate } from '../../../src-main/core/bench/pytorch-engine-rate';
import { runBench } from '../../../src-main/core/bench/run-bench';
import { findWorkload } from '../../../src-main/core/bench/workloads';
import { torchMissing } from '../../helpers/pytorch-trainer';

test('the best window skips the warm-up step and times each window by its steps’ own shares', () => {
  const steps = [
    { size: 10, imagesPerSec: 1 }, // warm-up: 10 s, never timed
    { size: 10, imagesPerSec: 100 },
    { size: 10, imagesPerSec: 100 },
    { size: 10, imagesPerSec: 50 },
    { size: 10, imagesPerSec: 200 },
    { size: 10, imagesPerSec: 400 }, // an incomplete window: left out
  ];
  // Windows of 2: 20 images in 0.2 s = 100/s, and 20 images in 0.25 s = 80/s.
  assert.equal(bestWindowRate(steps, 2), 100);
  assert.equal(bestWindowRate(steps.slice(0, 2), 2), undefined);
});

test(
  'bench --engine pytorch: the trainer script through the runner’s job, joined to the yardstick at the same threads, naming its BLAS',
  { skip: torchMissing(), timeout: 300_000 },
  async () => {
    const notes: string[] = [];
    const { rows } = await runBench(
      { workloads: [findWorkload('lenet-28-b256')], engines: ['pytorch'], threadList: [1], steps: 2, pytorch: true },
      { note: (line) => notes.push(line), progress: () => ({ update: () => undefined, stop: (result) => notes.push(result) }) },
    );
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row?.error, undefined, notes.join('\n'));
    assert.equal(row?.engine, 'pytorch');
    assert.equal(row?.onGpu, false);
    assert.match(String(row?.engineDetail), /^cpu /);
    assert.ok((row?.imagesPerSec ?? 0) > 0);
    // At least 2 s timed, in whole windows of 2 steps.
    assert.ok((row?.steps ?? 0) >= 2 && (row?.steps ?? 1) % 2 === 0);
    assert.ok(row?.pytorchBlas === 'openblas' || row?.pytorchBlas === 'mkl' || row?.pytorchBlas === 'reference');
    assert.equal(row?.pytorchThreads, 1);
    assert.equal(row?.ratio, row!.imagesPerSec! / row!.pytorchImagesPerSec!);
  },
);
