import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayers, layerOf } from '../../scripts/check-layers';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'layers-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of src-main in its own folder, changed by `plant`. */
function treeWith(plant: (srcMain: string) => void): string {
  const copy = join(scratch, `tree-${copies++}`);
  cpSync(join(root, 'src-main'), join(copy, 'src-main'), { recursive: true });
  plant(join(copy, 'src-main'));
  return copy;
}

/** `npm run check:layers` as CI runs it, on the tree at `treeRoot`. */
function runCheck(treeRoot: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/check-layers.ts'), treeRoot], { cwd: root, encoding: 'utf8' });
}

test('the real tree passes: every import follows the table, and there is no cycle', () => {
  assert.deepEqual(checkLayers(root), []);
  const run = runCheck(root);
  assert.equal(run.status, 0, run.stderr);
});

test('a file in core that imports from service fails the check, naming the file, the target and the rule', () => {
  const tree = treeWith((src) => appendFileSync(join(src, 'core/paths.ts'), "\nexport { EventHub } from '../service/event-hub';\n"));
  const run = runCheck(tree);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /src-main\/core\/paths\.ts imports src-main\/service\/event-hub\.ts: core\/ may import only shared, api/);
});

test('core/models importing core/store fails, even for types only', () => {
  const tree = treeWith((src) => appendFileSync(join(src, 'core/models/build.ts'), "\nexport type { RunStore } from '../store/run-store';\n"));
  const problems = checkLayers(tree);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /src-main\/core\/models\/build\.ts imports types from src-main\/core\/store\/run-store\.ts: core\/models\/ may import only shared, api/);
});

test('an import cycle fails, printed as the path that closes; a type-only edge counts', () => {
  const tree = treeWith((src) => {
    writeFileSync(join(src, 'shared/cycle-a.ts'), "import { b } from './cycle-b';\nexport const a = (): number => b + 1;\n");
    writeFileSync(join(src, 'shared/cycle-b.ts'), "import type { a } from './cycle-a';\nexport const b = 1;\nexport type A = typeof a;\n");
  });
  const run = runCheck(tree);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /import cycle: src-main\/shared\/cycle-a\.ts → src-main\/shared\/cycle-b\.ts → src-main\/shared\/cycle-a\.ts/);
});

test('one engine may not reach into another engine\'s folder, nor core into electron', () => {
  const tree = treeWith((src) => {
    appendFileSync(join(src, 'core/engine/webgpu/row.ts'), "\nexport { wasmMemory } from '../wasm/wasm-memory';\n");
    appendFileSync(join(src, 'core/data/random.ts'), "\nexport { app } from 'electron';\n");
  });
  const problems = checkLayers(tree).join('\n');
  assert.match(problems, /core\/engine\/webgpu\/row\.ts imports src-main\/core\/engine\/wasm\/wasm-memory\.ts/);
  assert.match(problems, /core\/data\/random\.ts imports 'electron': core\/ may not import electron/);
});

test('an entry is started, never imported, and whatever is started is named *.entry.ts', () => {
  const tree = treeWith((src) => {
    appendFileSync(join(src, 'worker/execute-run.ts'), "\nimport './training-worker.entry';\n");
    appendFileSync(join(src, 'core/thread/start-thread.ts'), "\nexport const probe = (): URL => new URL('./start-thread.ts', import.meta.url);\n");
  });
  const problems = checkLayers(tree).join('\n');
  assert.match(problems, /worker\/execute-run\.ts imports the entry src-main\/worker\/training-worker\.entry\.ts/);
  assert.match(problems, /core\/thread\/start-thread\.ts starts src-main\/core\/thread\/start-thread\.ts: name every thread or process entry \*\.entry\.ts/);
});

test('a file in a folder the table does not know fails, and asks for a row', () => {
  const tree = treeWith((src) => writeFileSync(join(src, 'core/newfolder-x.ts'), 'export const x = 1;\n'));
  assert.deepEqual(checkLayers(tree), []);
  const top = treeWith((src) => {
    cpSync(join(src, 'shared/error-message.ts'), join(src, 'plugins/error-message.ts'));
  });
  assert.match(checkLayers(top).join('\n'), /src-main\/plugins\/error-message\.ts lies in no layer: add its folder to scripts\/layer-table\.ts/);
});

test('a file belongs to the longest folder row that holds it', () => {
  assert.equal(layerOf('core/models/build.ts'), 'core/models');
  assert.equal(layerOf('core/engine/wasm/row.ts'), 'core/engine/wasm');
  assert.equal(layerOf('core/paths.ts'), 'core');
  assert.equal(layerOf('queue/hub.ts'), 'queue');
  assert.equal(layerOf('plugins/x.ts'), null);
});
