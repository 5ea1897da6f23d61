import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import {
  defaultReferenceScript,
  findTorchPython,
  parseCeilingLines,
  parseReferenceLines,
  runPytorchReference,
} from '../../../src-main/core/bench/pytorch-reference';

const LINE = '{"workload": "lenet-28-b256", "images_per_s": 1015.1, "batch": 256, "steps": 20, "threads": 2, "torch": "1.13.0a0"}';

test('the yardstick lines are parsed; other output is skipped', () => {
  const rates = parseReferenceLines(`UserWarning: something\n${LINE}\n\n`);
  assert.deepEqual(rates, [
    // A line without "device" (the yardstick before --device) was measured on the CPU; one without "blas" does not say.
    { workload: 'lenet-28-b256', imagesPerSec: 1015.1, batch: 256, steps: 20, threads: 2, device: 'cpu', torch: '1.13.0a0', blas: 'unknown', blasThreads: null },
  ]);
  assert.throws(() => parseReferenceLines('{"workload": 3}'), /unexpected line/);
});

test('each line names the BLAS the yardstick loaded and its threads; ceiling lines are read apart', () => {
  const rate = parseReferenceLines(LINE.replace('}', ', "blas": "openblas", "blas_threads": 1}'))[0]!;
  assert.deepEqual([rate.blas, rate.blasThreads], ['openblas', 1]);
  assert.equal(parseReferenceLines(LINE.replace('}', ', "blas": "atlas"}'))[0]!.blas, 'unknown');
  const ceiling = '{"kernel": "conv3x3", "gflops": 92.8, "threads": 2, "device": "cpu", "torch": "1.13.0a0", "blas": "reference", "blas_threads": 2}';
  assert.deepEqual(parseReferenceLines(ceiling), []);
  assert.deepEqual(parseCeilingLines(ceiling), [{ kernel: 'conv3x3', gflops: 92.8, threads: 2, device: 'cpu', blas: 'reference', blasThreads: 2 }]);
  assert.throws(() => parseCeilingLines('{"kernel": "matmul"}'), /unexpected ceiling line/);
});

test('the yardstick ships in the repository, not beside it', () => {
  assert.ok(existsSync(defaultReferenceScript()), defaultReferenceScript());
  assert.match(defaultReferenceScript(), /\/bench\/pytorch_reference\.py$/);
  assert.doesNotMatch(defaultReferenceScript(), /shared/);
});

test('a missing script or a python without torch gives a reason, not an exception', async () => {
  const missing = await runPytorchReference(['lenet-28-b256'], { script: '/nonexistent/pytorch_reference.py' });
  assert.equal(missing.ok, false);
  assert.match(!missing.ok ? missing.reason : '', /--reference PATH/);

  const none = await findTorchPython(['/nonexistent/python3']);
  assert.ok('reason' in none);
  assert.match(none.reason, /\/nonexistent\/python3: .*apt-get install python3-torch/);
});

test('the first python that imports torch runs the script with the thread count, and its JSON lines come back', async () => {
  // A stand-in python: answers the torch probe, keeps its arguments, then prints one
  // yardstick line per workload asked for (the arguments before the first flag).
  const dir = mkdtempSync(join(tmpdir(), 'bench-python-'));
  const python = join(dir, 'python3');
  writeFileSync(
    python,
    `#!/bin/sh\nif [ "$1" = "-c" ]; then echo 9.9.9; exit 0; fi\necho "$@" > "$0.args"\nshift\nfor w in "$@"; do case "$w" in --*) break;; esac; echo "{\\"workload\\": \\"$w\\", \\"images_per_s\\": 12.5, \\"batch\\": 64, \\"steps\\": 2, \\"threads\\": 4, \\"torch\\": \\"9.9.9\\"}"; done\n`,
  );
  chmodSync(python, 0o755);
  const script = join(dir, 'pytorch_reference.py');
  writeFileSync(script, '# stand-in\n');

  const seen: string[] = [];
  const outcome = await runPytorchReference(['vgg11-96-b64'], {
    script,
    candidates: ['/nonexistent/python3', python],
    threads: 3,
    onRate: (rate) => seen.push(rate.workload),
  });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.equal(outcome.python, python);
  assert.deepEqual(outcome.rates.map((r) => [r.workload, r.imagesPerSec, r.threads]), [['vgg11-96-b64', 12.5, 4]]);
  assert.deepEqual(seen, ['vgg11-96-b64']);
  assert.match(readFileSync(`${python}.args`, 'utf8'), / vgg11-96-b64 --device cpu --threads 3 --json\n$/);
});

test('the real yardstick at --threads 1 runs one BLAS thread and names its BLAS (skipped without torch)', async (t) => {
  const found = await findTorchPython();
  if ('reason' in found) return t.skip(found.reason);
  const outcome = await runPytorchReference([], { ceiling: true, threads: 1 });
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  assert.deepEqual(outcome.ceilings.map((c) => c.kernel), ['matmul', 'conv3x3']);
  for (const ceiling of outcome.ceilings) {
    assert.ok(['openblas', 'mkl', 'reference'].includes(ceiling.blas), ceiling.blas);
    assert.equal(ceiling.threads, 1);
    // Read back from OpenBLAS itself where it is loaded: the pool was sized before torch loaded.
    assert.equal(ceiling.blasThreads, 1);
    assert.ok(ceiling.gflops > 0);
  }
});
