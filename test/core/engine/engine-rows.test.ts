import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ENGINE_ROWS } from '../../../src-main/core/engine/engines';
import { engineMemory } from '../../../src-main/core/train/memory-estimate';
import { ENGINE_IDS } from '../../../src-main/shared/train/run-config';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('every engine id has its row, filed under its own id', () => {
  assert.deepEqual(Object.keys(ENGINE_ROWS).sort(), [...ENGINE_IDS].sort());
  for (const [id, row] of Object.entries(ENGINE_ROWS)) assert.equal(row.id, id);
});

test("the memory estimate reads each row's memory rule: wasm's heap, the machine's memory, or unknown on a GPU", () => {
  const gib = 2 ** 30;
  assert.equal(engineMemory('wasm', 64 * gib).bytes, 4294901760 * 0.75);
  assert.equal(engineMemory('cpu', 3 * gib).bytes, 3 * gib);
  assert.equal(engineMemory('tensorflow', 5 * gib).bytes, 5 * gib);
  assert.equal(engineMemory('webgpu', 5 * gib).bytes, undefined);
  assert.equal(engineMemory('tensorflow-gpu', 5 * gib).bytes, undefined);
});

test('only the webgpu row checks single buffers, and only once it knows the adapter', () => {
  const withCheck = Object.values(ENGINE_ROWS).filter((row) => row.checkBuffers !== undefined).map((row) => row.id);
  assert.deepEqual(withCheck, ['webgpu']);
  const run = { model: 'vgg11', resize: 96, batchSize: 64 };
  assert.equal(ENGINE_ROWS.webgpu.checkBuffers?.(run, { id: 'webgpu', backend: 'webgpu', version: 'x' }), undefined);
});

test('reading the rows and the memory estimate loads no tfjs: the service may size a run without it', () => {
  // tfjs-core puts its engine on globalThis when it is first imported.
  const script = [
    "await import('./src-main/core/train/memory-estimate.ts');",
    "await import('./src-main/core/engine/engines.ts');",
    "console.log('_tfengine' in globalThis);",
  ].join('\n');
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'false');
});
