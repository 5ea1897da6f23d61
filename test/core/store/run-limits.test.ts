import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  exportPage,
  exportPages,
  exportRuns,
  exportRunsJson,
  ExportCursorError,
  ExportTooLargeError,
  ImportError,
  importRuns,
  type RunExport,
} from '../../../src-main/core/store/export-import';
import { RunLimitError, RunStore } from '../../../src-main/core/store/run-store';
import {
  ARCHITECTURE_MAX_LAYERS,
  NOTES_MAX_LENGTH,
  RUN_NAME_MAX_LENGTH,
  TAG_MAX_LENGTH,
  TAGS_PER_RUN_MAX,
} from '../../../src-main/shared/runs/run-limits';
import { smallConfig, tempDir } from './store-fixtures';

/** Issue 21: the same limits wherever a run comes in, tags as set operations, exports in pages, no local paths. */

function openStore(t: { after: (fn: () => void) => void }, name = 'runs.sqlite'): RunStore {
  const { dir, cleanup } = tempDir('run-limits-');
  const store = RunStore.open(join(dir, name));
  t.after(() => {
    store.close();
    cleanup();
  });
  return store;
}

const tags = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('a run holds at most TAGS_PER_RUN_MAX tags of at most TAG_MAX_LENGTH characters; a refused change changes nothing', (t) => {
  const store = openStore(t);
  const id = store.createRun(smallConfig(), { tags: tags(TAGS_PER_RUN_MAX - 1) });
  store.updateTags(id, { add: ['last', ' last ', 'last'] });
  assert.equal(store.requireRun(id).tags.length, TAGS_PER_RUN_MAX, 'trimmed and counted once');
  assert.throws(() => store.updateTags(id, { add: ['one-too-many'] }), (error: unknown) => {
    assert.ok(error instanceof RunLimitError);
    assert.match(error.message, new RegExp(`at most ${TAGS_PER_RUN_MAX} tags`));
    return true;
  });
  assert.equal(store.requireRun(id).tags.includes('one-too-many'), false);
  // Removing and adding in one change is judged by where the run ends up.
  store.updateTags(id, { add: ['swap'], remove: ['last'] });
  assert.ok(store.requireRun(id).tags.includes('swap'));
  assert.throws(() => store.tagRun(id, 'x'.repeat(TAG_MAX_LENGTH + 1)), /at most 100 characters/);
  assert.throws(() => store.createRun(smallConfig(), { tags: tags(TAGS_PER_RUN_MAX + 1) }), RunLimitError);
  assert.throws(() => store.setNotes(id, 'n'.repeat(NOTES_MAX_LENGTH + 1)), RunLimitError);
});

test('a 4,000-tag change is one statement each way, refused in milliseconds, not one query per tag', (t) => {
  const store = openStore(t);
  const id = store.createRun(smallConfig(), { tags: tags(TAGS_PER_RUN_MAX) });
  const started = performance.now();
  assert.throws(() => store.updateTags(id, { add: tags(4000, 'new') }), RunLimitError);
  store.updateTags(id, { remove: tags(4000) });
  const ms = performance.now() - started;
  assert.deepEqual(store.requireRun(id).tags, []);

  // A run an earlier release tagged past the cap sheds tags a few at a time, and gains none.
  const legacy = store.createRun(smallConfig());
  const db = new Database(store.path);
  const insert = db.prepare(`INSERT INTO run_tags (run_id, tag) VALUES (?, ?)`);
  for (const tag of tags(TAGS_PER_RUN_MAX + 10, 'old')) insert.run(legacy, tag);
  db.close();
  store.updateTags(legacy, { remove: tags(5, 'old') });
  assert.equal(store.requireRun(legacy).tags.length, TAGS_PER_RUN_MAX + 5);
  assert.throws(() => store.updateTags(legacy, { add: ['new'] }), RunLimitError);
  // Before: 27 s for 4,000 tags (each insert re-read every tag of the run).
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});

/** A valid export of one small run, to spoil one field at a time. */
function validExport(t: { after: (fn: () => void) => void }): RunExport {
  const store = openStore(t, 'source.sqlite');
  const id = store.createRun(smallConfig(), { tags: ['a'] });
  store.appendMetrics(id, [{ key: 'epoch.test_acc', step: 0, epoch: 0, batch: null, value: 0.5, wallTime: 1 }]);
  return exportRuns(store, [id]);
}

test('an import refuses what the API refuses: matrix, layers, notes, name, tags, and a model config contradicts', (t) => {
  const target = openStore(t, 'target.sqlite');
  const spoil = (change: (run: RunExport['runs'][number]) => void): string => {
    const file = structuredClone(validExport(t));
    change(file.runs[0]!);
    return JSON.stringify(file);
  };
  const cases: [string, string, RegExp][] = [
    ['a 3000×3000 confusion matrix', spoil((run) => (run.confusion = Array.from({ length: 3000 }, () => Array<number>(3000).fill(0)))), /confusion/],
    ['an 11×11 confusion matrix', spoil((run) => (run.confusion = Array.from({ length: 11 }, () => Array<number>(11).fill(0)))), /confusion/],
    ['200,000 layers', spoil((run) => (run.architecture = Array.from({ length: 200_000 }, () => ({ kind: 'flatten' as const })))), /architecture/],
    [`${ARCHITECTURE_MAX_LAYERS + 1} layers`, spoil((run) => (run.architecture = Array.from({ length: ARCHITECTURE_MAX_LAYERS + 1 }, () => ({ kind: 'flatten' as const })))), /architecture/],
    ['20 MB of notes', spoil((run) => (run.notes = 'n'.repeat(20 * 2 ** 20))), /notes/],
    ['a long name', spoil((run) => (run.name = 'n'.repeat(RUN_NAME_MAX_LENGTH + 1))), /name/],
    ['10,000 tags', spoil((run) => (run.tags = tags(10_000))), /tags/],
    ['a long tag', spoil((run) => (run.tags = ['x'.repeat(TAG_MAX_LENGTH + 1)])), /tags/],
    ['a model config contradicts', spoil((run) => (run.model = 'alexnet')), /model: alexnet contradicts config\.model vgg11/],
  ];
  for (const [what, content, field] of cases) {
    const started = performance.now();
    assert.throws(() => importRuns(target, content), (error: unknown) => {
      assert.ok(error instanceof ImportError, what);
      assert.match(error.message, field, what);
      return true;
    });
    assert.ok(performance.now() - started < 5000, `${what} refused in seconds`);
  }
  assert.deepEqual(target.listRuns(), [], 'nothing was imported');
});

test('exports carry no machine-local path, and an import drops one an older file carries', (t) => {
  const source = openStore(t, 'source.sqlite');
  const id = source.createRun(smallConfig());
  source.finishRun(id, { status: 'failed', time: 1, error: `ENOENT: no such file or directory, open '${join(homedir(), 'secret', 'x.bin')}'` });
  source.addCheckpoint(id, { epoch: 0, path: source.checkpointFolder.pathFor(id, 0), bytes: 1, sha256: 'a'.repeat(64) });
  for (const text of [exportRunsJson(source, [id]), [...exportPages(source, [id], 'csv')].join('')]) {
    assert.ok(!text.includes('/home/someone'), 'no data folder');
    assert.ok(!text.includes(source.checkpointFolder.root), 'no checkpoint folder');
    assert.ok(!text.includes(source.path), 'no database path');
    if (homedir().length > 1) assert.ok(!text.includes(homedir()), 'no home folder');
  }
  // A file from an earlier release, still carrying its data folder.
  const old = JSON.parse(exportRunsJson(source, [id])) as RunExport;
  (old.runs[0]!.config as Record<string, unknown>).dataDir = '/home/someone/private/fashion-mnist';
  const target = openStore(t, 'target.sqlite');
  importRuns(target, JSON.stringify(old));
  assert.equal((target.requireRun(id).config as Record<string, unknown>).dataDir, undefined);
  assert.ok(!exportRunsJson(target, [id]).includes('/home/someone'));
});

test('pages of any size concatenate to the one file; a cursor works only for its own export', (t) => {
  const store = openStore(t);
  const a = store.createRun(smallConfig({ name: 'a' }), { tags: ['x'] });
  const b = store.createRun(smallConfig({ name: 'b, "quoted"' }));
  const empty = store.createRun(smallConfig({ name: 'no points' }));
  for (const id of [a, b]) {
    store.appendMetrics(id, Array.from({ length: 7 }, (_, step) => ({ key: 'batch.loss', step, epoch: 0, batch: step, value: step === 3 ? NaN : step, wallTime: step })));
  }
  // The same file but for the moment it was made.
  const file = (format: 'json' | 'csv', pagePoints: number) =>
    [...exportPages(store, [a, empty, b], format, { pagePoints })].join('').replace(/"exportedAt":\d+/, '"exportedAt":0');
  for (const format of ['json', 'csv'] as const) {
    const whole = file(format, 1000);
    for (const pagePoints of [1, 2, 3, 7, 14]) {
      assert.equal(file(format, pagePoints), whole, `${format}, pages of ${pagePoints}`);
    }
  }
  const parsed = JSON.parse(file('json', 2)) as RunExport;
  assert.deepEqual(parsed.runs.map((run) => [run.name, run.metrics.length]), [['a', 7], ['no points', 0], ['b, "quoted"', 7]]);
  assert.equal(parsed.runs[0]!.metrics[3]!.value, 'NaN');

  const first = exportPage(store, [a, b], 'json', undefined, { pagePoints: 2 });
  assert.ok(first.next);
  assert.throws(() => exportPage(store, [b, a], 'json', first.next, { pagePoints: 2 }), ExportCursorError);
  assert.throws(() => exportPage(store, [a, b], 'csv', first.next, { pagePoints: 2 }), ExportCursorError);
  assert.throws(() => exportPage(store, [a, b], 'json', 'not-a-cursor'), ExportCursorError);
  assert.throws(() => exportPage(store, [a, b], 'json', undefined, { maxPoints: 13 }), (error: unknown) => {
    assert.ok(error instanceof ExportTooLargeError);
    assert.match(error.message, /14 metric points, more than one export takes \(13\)/);
    return true;
  });
});
