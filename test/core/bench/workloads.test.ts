import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolveNetwork } from '../../../src-main/shared/models/presets';
import { summarizeNetwork } from '../../../src-main/shared/models/summary';
import { findWorkload, WORKLOAD_NAMES, WORKLOADS } from '../../../src-main/core/bench/workloads';
import { defaultReferenceScript } from '../../../src-main/core/bench/pytorch-reference';

function params(name: string): number {
  const workload = findWorkload(name);
  const { layers } = resolveNetwork(workload.network);
  return summarizeNetwork(layers, [workload.side, workload.side, 1]).totalParams;
}

test('each workload builds the same network as the PyTorch yardstick (parameter counts from torch)', () => {
  // sum(p.numel() for p in make().parameters()) in pytorch_reference.py, torch 1.13.
  assert.equal(params('lenet-28-b256'), 61_706);
  assert.equal(params('vgg11-w0.25-32-b64'), 1_768_778);
  assert.equal(params('vgg11-96-b64'), 44_920_074);
  // The book's small VGG (channels // 4, dense 4096 kept) at 224: counted with torch.nn the same way.
  assert.equal(params('vgg11-r4-224-b128'), 43_093_322);
});

test('width 0.25 scales the channels and the hidden dense width, as vgg(VGG11, 32, 0.25) does', () => {
  const { layers } = resolveNetwork(findWorkload('vgg11-w0.25-32-b64').network);
  const convs = layers.flatMap((l) => (l.kind === 'conv' ? [l.filters] : []));
  assert.deepEqual(convs, [16, 32, 64, 64, 128, 128, 128, 128]);
  const dense = layers.flatMap((l) => (l.kind === 'dense' ? [l.units] : []));
  assert.deepEqual(dense, [1024, 1024, 10]);
});

test("names, sides, batches and steps agree with the yardstick's WORKLOADS table (bench/pytorch_reference.py)", () => {
  const source = readFileSync(defaultReferenceScript(), 'utf8');
  // "lenet-28-b256": (lenet, 28, 256, 20),
  const rows = [...source.matchAll(/"([\w.-]+)": \(.*, (\d+), (\d+), (\d+)\),/g)].map((m) => ({
    name: m[1],
    side: Number(m[2]),
    batchSize: Number(m[3]),
    steps: Number(m[4]),
  }));
  assert.deepEqual(
    rows,
    WORKLOADS.map(({ name, side, batchSize, steps }) => ({ name, side, batchSize, steps })),
  );
});

test('an unknown workload is an error that lists the valid names', () => {
  assert.throws(() => findWorkload('vgg19'), new RegExp(WORKLOAD_NAMES.join(', ')));
});
