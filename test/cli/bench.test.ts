import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `npm run bench -- ...args` as the user would, through tsx. */
function bench(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/bench.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('bad flags exit with status 2 and say what is wrong', () => {
  const engine = bench('--engine', 'gpu');
  assert.equal(engine.status, 2);
  assert.match(engine.stderr, /--engine .* argument 'gpu' is invalid\. Allowed choices are auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
  const workload = bench('--workload', 'resnet');
  assert.equal(workload.status, 2);
  assert.match(workload.stderr, /Allowed choices are lenet-28-b256, vgg11-w0.25-32-b64, vgg11-96-b64/);
  assert.equal(bench('--steps', '0').status, 2);
  assert.equal(bench('--frobnicate').status, 2);
});

test('--json prints one line per workload with the agreed fields; no PyTorch means nulls and a note', () => {
  const { status, stdout, stderr } = bench('--engine', 'wasm', '--workload', 'lenet-28-b256', '--steps', '1', '--json', '--no-pytorch');
  assert.equal(status, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, stdout);
  const row = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(row.workload, 'lenet-28-b256');
  assert.equal(row.engine, 'wasm');
  assert.ok(typeof row.imagesPerSec === 'number' && row.imagesPerSec > 0);
  assert.equal(row.pytorchImagesPerSec, null);
  assert.equal(row.ratio, null);
  assert.ok(typeof row.peakRssBytes === 'number' && row.peakRssBytes > 0);
  // Without the yardstick there is no BLAS to name; our own FLOP count is there regardless.
  assert.equal(row.pytorchBlas, null);
  assert.equal(row.pytorchBlasThreads, null);
  assert.ok(typeof row.gflopPerImage === 'number' && row.gflopPerImage > 0);
  // The layout's planned peak (core/engine/wasm/wasm-layout-memory.ts), within 25% of the process's measured peak.
  assert.ok(typeof row.estimatedBytes === 'number' && Math.abs(row.estimatedBytes / row.peakRssBytes - 1) < 0.25, JSON.stringify(row));
  assert.match(stderr, /PyTorch columns are empty: skipped \(--no-pytorch\)/);
});

test('--threads 1,2 measures each count, records it per row, and gives the speed-up over the first', () => {
  const { status, stdout, stderr } = bench('--engine', 'wasm', '--workload', 'lenet-28-b256', '--steps', '1', '--threads', '1,2', '--json', '--no-pytorch');
  assert.equal(status, 0, stderr);
  const rows = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(rows.map((r) => [r.threads, r.engineThreads]), [[1, 1], [2, 2]]);
  assert.equal(rows[0]!.speedup, null);
  assert.ok(typeof rows[1]!.speedup === 'number' && rows[1]!.speedup > 0);
  assert.equal(rows[1]!.speedup, (rows[1]!.imagesPerSec as number) / (rows[0]!.imagesPerSec as number));
  assert.equal(bench('--threads', '0').status, 2);
});

test('a yardstick on the reference BLAS is named in every row and announced above the table (skipped without torch)', async (t) => {
  const { findTorchPython } = await import('../../src-main/core/bench/pytorch-reference');
  const found = await findTorchPython();
  if ('reason' in found) return t.skip(found.reason);
  // A stand-in yardstick that answers as PyTorch on libblas3 would.
  const dir = mkdtempSync(join(tmpdir(), 'bench-reference-'));
  const script = join(dir, 'reference.py');
  writeFileSync(
    script,
    'import json, sys\n' +
      'for w in [a for a in sys.argv[1:] if not a.startswith("--") and not a.isdigit() and a != "cpu"]:\n' +
      '    print(json.dumps({"workload": w, "images_per_s": 100.0, "batch": 256, "steps": 1, "threads": 1, "device": "cpu", "torch": "x", "blas": "reference", "blas_threads": 1}))\n',
  );
  const text = bench('--engine', 'wasm', '--workload', 'lenet-28-b256', '--steps', '1', '--threads', '1', '--reference', script);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout.split('\n')[0]!, /PyTorch is on the reference BLAS: install libopenblas0-pthread; these ratios flatter us 2–4×/);
  const json = bench('--engine', 'wasm', '--workload', 'lenet-28-b256', '--steps', '1', '--threads', '1', '--reference', script, '--json');
  const row = JSON.parse(json.stdout.trim()) as Record<string, unknown>;
  assert.deepEqual([row.pytorchBlas, row.pytorchBlasThreads, row.pytorchImagesPerSec], ['reference', 1, 100]);
  assert.match(json.stderr, /reference BLAS/);
});

test('the pytorch engine and the yardstick are measured in turns, --rounds times, the best of each kept (skipped without torch)', { timeout: 180_000 }, async (t) => {
  const { findTorchPython } = await import('../../src-main/core/bench/pytorch-reference');
  const found = await findTorchPython();
  if ('reason' in found) return t.skip(found.reason);
  // A stand-in yardstick whose rate differs from call to call: 100, then 300 on 1 BLAS thread, then 200.
  const dir = mkdtempSync(join(tmpdir(), 'bench-rounds-'));
  const script = join(dir, 'reference.py');
  writeFileSync(
    script,
    'import json, os, sys\n' +
      `counter = ${JSON.stringify(join(dir, 'calls'))}\n` +
      'calls = int(open(counter).read()) if os.path.exists(counter) else 0\n' +
      'open(counter, "w").write(str(calls + 1))\n' +
      'rate, blas = [(100.0, 2), (300.0, 1), (200.0, 2)][calls]\n' +
      'for w in [a for a in sys.argv[1:] if not a.startswith("--") and not a.isdigit() and a != "cpu"]:\n' +
      '    print(json.dumps({"workload": w, "images_per_s": rate, "batch": 256, "steps": 1, "threads": 1, "device": "cpu", "torch": "x", "blas": "openblas", "blas_threads": blas}))\n',
  );
  const { status, stdout, stderr } = bench('--engine', 'pytorch', '--workload', 'lenet-28-b256', '--threads', '1', '--rounds', '3', '--reference', script, '--json');
  assert.equal(status, 0, stderr);
  const row = JSON.parse(stdout.trim()) as Record<string, number>;
  assert.equal(row.rounds, 3);
  assert.match(stderr, /round 2 of 3, PyTorch then ours[\s\S]*round 3 of 3/);
  // The best yardstick round, with the BLAS threads it was timed on; ours is the best of its three.
  assert.deepEqual([row.pytorchImagesPerSec, row.pytorchBlasThreads], [300, 1]);
  assert.ok(row.imagesPerSec! > 0);
  assert.equal(row.ratio, row.imagesPerSec! / 300);
  assert.equal(bench('--rounds', '0').status, 2);
});
