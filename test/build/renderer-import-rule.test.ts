import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { build } from 'vite';
import config from '../../electron.vite.config';
import { rendererImportRule, rendererImportViolation } from '../../scripts/renderer-import-rule';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => join(root, 'test/build/fixtures/renderer-import-rule', name);

/** A renderer-like build of one entry with the rule, written nowhere. */
function buildEntry(entry: string) {
  return build({
    configFile: false,
    logLevel: 'silent',
    root,
    plugins: [rendererImportRule(root), vue()],
    build: { write: false, lib: { entry, formats: ['es'], fileName: 'probe' } },
  });
}

test('the rule is a path rule: src-main/shared and src-main/api pass, anything else under src-main is refused', () => {
  const view = join(root, 'src-renderer/src/views/SomeView.vue');
  assert.equal(rendererImportViolation(root, view, join(root, 'src-main/shared/models/presets.ts')), null);
  assert.equal(rendererImportViolation(root, view, join(root, 'src-main/api/methods.ts')), null);
  assert.equal(rendererImportViolation(root, view, join(root, 'node_modules/vue/index.js')), null);
  assert.equal(rendererImportViolation(root, view, join(root, 'src-renderer/src/lib/format.ts?x=1')), null);
  for (const target of ['src-main/core/train/memory-estimate.ts', 'src-main/service/experiment-service.ts', 'src-main/electron/main.ts']) {
    assert.match(rendererImportViolation(root, view, join(root, target)) ?? '', new RegExp(`src-renderer/src/views/SomeView.vue imports ${target}`));
  }
});

test('the renderer build fails on a view that imports from src-main/core, and builds one that imports shared and api', { timeout: 120_000 }, async () => {
  await assert.rejects(buildEntry(fixture('view-importing-core.ts')), /imports src-main\/core\/paths\.ts: the renderer may import from src-main only/);
  await assert.doesNotReject(buildEntry(fixture('view-importing-shared.ts')));
});

test('electron-vite builds the renderer with the rule', () => {
  const renderer = (config as { renderer?: { plugins?: unknown[] } }).renderer;
  const names = (renderer?.plugins ?? []).flat().map((plugin) => (plugin as { name?: string }).name);
  assert.ok(names.includes('renderer-import-rule'), names.join(', '));
});
