import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import {
  exportRuns,
  exportRunsJson,
  ImportError,
  importRuns,
  metricsCsv,
  METRICS_CSV_COLUMNS,
  type RunExport,
} from '../../../src-main/core/store/export-import';
import { RunRecorder } from '../../../src-main/core/store/run-recorder';
import { RunStore } from '../../../src-main/core/store/run-store';
import { smallConfig, syntheticRun, tempDir } from './store-fixtures';

type T = { after: (fn: () => void) => void };

function openStore(t: T, dir: string, name: string): RunStore {
  const store = RunStore.open(join(dir, name));
  t.after(() => store.close());
  return store;
}

/** A finished run with everything a run can have. */
function richRun(store: RunStore, name = 'rich, "quoted" run'): string {
  const events = syntheticRun({ epochs: 2, stepsPerEpoch: 4, nanSteps: [1] });
  const id = store.createRun(smallConfig({ name }), {
    tags: ['export', 'baseline-candidate'],
    notes: 'line one\nline two',
    baseline: true,
    architecture: [
      { kind: 'conv', filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'maxpool', size: 2, stride: 2 },
      { kind: 'flatten' },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'dense', units: 10, activation: 'linear' },
    ],
  });
  const recorder = new RunRecorder(store, id);
  for (const event of events) recorder.record(event);
  store.appendMetrics(id, [
    { key: 'epoch.loss', step: 2, epoch: 2, batch: null, value: Infinity, wallTime: 1 },
  ]);
  store.addCheckpoint(id, { epoch: 1, path: store.checkpointFolder.pathFor(id, 1), bytes: 100, sha256: 'c'.repeat(64), createdAt: 5 });
  store.setConfusion(id, Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 9 : 1))), 6);
  return id;
}

function rowCounts(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = ['runs', 'run_tags', 'metrics', 'metric_summary', 'checkpoints', 'confusion_matrices'];
    return Object.fromEntries(
      tables.map((table) => [table, (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}

test('export → import into another database yields the same run, same id, everything but checkpoints', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const source = openStore(t, dir, 'a.sqlite');
  const id = richRun(source);
  const text = exportRunsJson(source, [id]);

  const target = openStore(t, dir, 'b.sqlite');
  assert.deepEqual(importRuns(target, text), [{ id, name: 'rich, "quoted" run', withoutWeights: true }]);
  assert.deepEqual(target.snapshot(id), { ...source.snapshot(id), checkpoints: [] }, 'paths are not weights: none recorded');
  assert.ok(!text.includes(source.checkpointFolder.root), 'no local path travels');
  const { owner: _a, ...imported } = target.requireRun(id);
  const { owner: _b, ...original } = source.requireRun(id);
  assert.deepEqual(imported, original, 'summary, tags and all fields equal');
  assert.equal(imported.summary['epoch.loss'].last.value, Infinity);
  assert.ok(Number.isNaN(target.metrics(id, ['batch.loss'])[1].value));
});

test('an id already here, or twice in the file, is refused by name; a running run arrives interrupted', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'a.sqlite');
  const store = openStore(t, dir, 'a.sqlite');
  const id = richRun(store);
  const exported = exportRuns(store, [id]);
  exported.runs[0].status = 'running';
  const before = rowCounts(path);
  assert.throws(() => importRuns(store, JSON.stringify(exported)), new RegExp(`run id ${id} is already in this database.*nothing was imported`));
  const twice = { ...exported, runs: [exported.runs[0], exported.runs[0]] };
  assert.throws(() => importRuns(store, JSON.stringify(twice)), new RegExp(`runs\\[1\\]\\.id: run id ${id} appears twice`));
  assert.deepEqual(rowCounts(path), before);

  const other = openStore(t, dir, 'b.sqlite');
  importRuns(other, JSON.stringify(exported));
  assert.equal(other.requireRun(id).status, 'interrupted');
});

test('import refuses negative steps, durations and times, duplicate points and overlong names', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const source = openStore(t, dir, 'a.sqlite');
  const exported = exportRuns(source, [richRun(source)]);
  const target = openStore(t, dir, 'b.sqlite');
  const refused = (change: (run: RunExport['runs'][number]) => void, pattern: RegExp) => {
    const copy = structuredClone(exported);
    change(copy.runs[0]!);
    assert.throws(() => importRuns(target, JSON.stringify(copy)), pattern);
  };
  refused((run) => (run.metrics[0]!.step = -1), /runs\[0\]\.metrics\[0\]\.step/);
  refused((run) => (run.metrics[0]!.wallTime = -5), /metrics\[0\]\.wallTime/);
  refused((run) => (run.durationSeconds = -1), /durationSeconds/);
  refused((run) => (run.createdAt = -1), /createdAt/);
  refused((run) => (run.epochsCompleted = -2), /epochsCompleted/);
  refused((run) => run.metrics.push({ ...run.metrics[0]!, value: 0.5 }), /a second point for key batch\.loss at step 0/);
  refused((run) => (run.name = 'x'.repeat(201)), /name/);
  refused((run) => (run.tags = ['t'.repeat(101)]), /tags\[0\]/);
  assert.deepEqual(target.listRuns(), []);
});

test('a malformed file is refused naming the field, and changes nothing', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'a.sqlite');
  const store = openStore(t, dir, 'a.sqlite');
  const id = richRun(store);
  const good = exportRuns(store, [id, richRun(store, 'second')]);
  const before = rowCounts(path);

  const badStep = structuredClone(good) as unknown as { runs: { metrics: { step: unknown }[] }[] };
  badStep.runs[1].metrics[3].step = 'three';
  assert.throws(
    () => importRuns(store, JSON.stringify(badStep)),
    (error: unknown) =>
      error instanceof ImportError && /runs\[1\]\.metrics\[3\]\.step/.test(error.message) && /nothing was imported/.test(error.message),
  );
  const badConfig = structuredClone(good) as unknown as { runs: { config: { lr: unknown } }[] };
  badConfig.runs[0].config.lr = -1;
  assert.throws(() => importRuns(store, JSON.stringify(badConfig)), /runs\[0\]\.config\.lr/);
  const badLayer = structuredClone(good) as unknown as { runs: { architecture: unknown[] }[] };
  badLayer.runs[0].architecture[0] = { kind: 'conv', filters: 0 };
  assert.throws(() => importRuns(store, JSON.stringify(badLayer)), /runs\[0\]\.architecture\[0\]/);
  assert.throws(() => importRuns(store, '{"name":"some-package","version":"1.0.0"}'), /not a VGG Workbench run export/);
  assert.throws(() => importRuns(store, 'SQLite format 3\0garbage'), /not a JSON file/);
  assert.throws(
    () => importRuns(store, JSON.stringify({ ...good, version: 99 })),
    /export version 99 is newer/,
  );
  assert.deepEqual(rowCounts(path), before);
});

test('an import that fails half-way through writing leaves no partial rows', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'a.sqlite');
  const store = openStore(t, dir, 'a.sqlite');
  const text = exportRunsJson(store, [richRun(store), richRun(store, 'b')]);
  const before = rowCounts(path);
  // The second run fails after the first was fully written inside the transaction.
  const target = openStore(t, dir, 'b.sqlite');
  const targetBefore = rowCounts(join(dir, 'b.sqlite'));
  const original = target.setConfusion.bind(target);
  let calls = 0;
  target.setConfusion = (...args) => {
    calls += 1;
    if (calls === 2) throw new Error('disk full');
    original(...args);
  };
  assert.throws(() => importRuns(target, text), /disk full/);
  assert.equal(calls, 2);
  assert.deepEqual(rowCounts(join(dir, 'b.sqlite')), targetBefore);
  assert.deepEqual(rowCounts(path), before);
});

test('metrics CSV: one row per point of every run, RFC 4180 quoting, NaN spelled out', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = openStore(t, dir, 'a.sqlite');
  const a = richRun(store);
  const b = richRun(store, 'plain');
  const lines = metricsCsv(store, [a, b]).trimEnd().split('\n');
  assert.equal(lines[0], METRICS_CSV_COLUMNS.join(','));
  assert.equal(lines.length - 1, store.metrics(a).length + store.metrics(b).length);
  const first = store.metrics(a)[0];
  assert.equal(
    lines[1],
    `${a},"rich, ""quoted"" run",${first.key},${first.step},${first.epoch},${first.value},${first.wallTime}`,
  );
  assert.ok(lines.some((line) => line.startsWith(`${a},`) && line.includes(',batch.loss,1,0,NaN,')));
  assert.ok(lines.some((line) => line.startsWith(`${b},plain,`)));
});
