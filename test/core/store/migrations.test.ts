import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { APPLICATION_ID, openDatabase } from '../../../src-main/core/store/database';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  schemaVersion,
} from '../../../src-main/core/store/migrations';
import { RunStore } from '../../../src-main/core/store/run-store';
import { configHash } from '../../../src-main/core/store/config-hash';
import { smallConfig, tempDir } from './store-fixtures';
import { runConfigSchema } from '../../../src-main/shared/train/run-config';

test('migrations are numbered 1..n with no gap, and at least two ship', () => {
  assert.ok(MIGRATIONS.length >= 2);
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
  assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
});

test('a new database is stamped with our application id, the newest version and WAL', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const db = openDatabase(join(dir, 'nested', 'runs.sqlite'));
  try {
    assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
    assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
    const tables = db
      .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .all()
      .map((row) => row.name);
    assert.deepEqual(tables, [
      'checkpoints',
      'confusion_matrices',
      'layer_stats',
      'metric_summary',
      'metrics',
      'queue_runs',
      'run_tags',
      'runs',
    ]);
  } finally {
    db.close();
  }
});

test('a version-1 database with data migrates to the newest version with its data intact', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'v1.sqlite');

  // Build the file as release 1 would have: migration 1 only, rows written by hand.
  const v1 = openDatabase(path, { migrateTo: 1 });
  assert.equal(schemaVersion(v1), 1);
  const hasSummary = v1
    .prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'metric_summary'`)
    .get() as { n: number };
  assert.equal(hasSummary.n, 0, 'migration 1 alone has no summary table');
  const config = smallConfig();
  const insertRun = v1.prepare(`INSERT INTO runs (id, name, status, created_at, finished_at,
      config_json, config_hash, model, input_size, width_ratio, epochs, batch_size, learning_rate,
      momentum, seed, dataset, engine_choice, notes)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'vgg11', 32, 8, 2, 16, 0.05, 0, 0, 'fashion-mnist', 'auto', ?)`);
  insertRun.run('aaaa0001', 'old run', 'completed', 1000, 2000, JSON.stringify(config), configHash(config), 'kept');
  insertRun.run('aaaa0002', 'other', 'failed', 3000, 4000, JSON.stringify(config), configHash(config), '');
  v1.prepare(`INSERT INTO run_tags (run_id, tag) VALUES ('aaaa0001', 'v1')`).run();
  const insertPoint = v1.prepare(
    `INSERT INTO metrics (run_id, key, step, epoch, batch, value, wall_time) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  // Losses with a NaN and a tie for best; accuracies where best is not last.
  const losses = [2.0, null, 0.5, 0.9, 0.5, 0.7];
  const accs = [0.1, 0.6, 0.4, 0.6, 0.3, 0.2];
  losses.forEach((v, step) => insertPoint.run('aaaa0001', 'batch.loss', step, 0, step, v, 1000 + step));
  accs.forEach((v, step) => insertPoint.run('aaaa0001', 'batch.accuracy', step, 0, step, v, 1000 + step));
  insertPoint.run('aaaa0002', 'epoch.seconds', 0, 0, null, 12.5, 3500);
  insertPoint.run('aaaa0002', 'epoch.seconds', 1, 1, null, 11.0, 3600);
  insertPoint.run('aaaa0002', 'epoch.test_acc', 0, 0, null, null, 3500);
  v1.close();

  const store = RunStore.open(path);
  t.after(() => store.close());
  const run = store.requireRun('aaaa0001');
  assert.equal(run.name, 'old run');
  assert.equal(run.status, 'completed');
  assert.equal(run.notes, 'kept');
  assert.deepEqual(run.tags, ['v1']);
  assert.deepEqual(run.config, config);
  assert.equal(store.metrics('aaaa0001').length, 12);
  assert.ok(Number.isNaN(store.metrics('aaaa0001', ['batch.loss'])[1].value));

  const loss = run.summary['batch.loss'];
  assert.equal(loss.count, 6);
  assert.equal(loss.lowerIsBetter, true);
  assert.deepEqual(loss.last, { value: 0.7, step: 5, epoch: 0, wallTime: 1005 });
  assert.deepEqual(loss.best, { value: 0.5, step: 2, epoch: 0 }, 'earliest of the tied minima');
  const acc = run.summary['batch.accuracy'];
  assert.equal(acc.lowerIsBetter, false);
  assert.deepEqual(acc.best, { value: 0.6, step: 1, epoch: 0 });
  assert.equal(acc.last.value, 0.2);

  const other = store.requireRun('aaaa0002').summary;
  assert.deepEqual(other['epoch.seconds'].best, { value: 11.0, step: 1, epoch: 1 });
  assert.equal(other['epoch.test_acc'].best, null, 'all-NaN key has no best');
  assert.ok(Number.isNaN(other['epoch.test_acc'].last.value));

  // New writes keep extending the backfilled summary.
  store.appendMetrics('aaaa0001', [
    { key: 'batch.loss', step: 6, epoch: 1, batch: 0, value: 0.25, wallTime: 1006 },
  ]);
  assert.deepEqual(store.metricSummary('aaaa0001')['batch.loss'].best, { value: 0.25, step: 6, epoch: 1 });
  assert.equal(store.metricSummary('aaaa0001')['batch.loss'].count, 7);
  store.close();

  const check = openDatabase(path);
  assert.equal(schemaVersion(check), LATEST_SCHEMA_VERSION);
  const index = check
    .prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'metrics_run_key_step'`)
    .get() as { n: number };
  assert.equal(index.n, 1);
  check.close();
});

test("a version-3 run whose config kept the machine's dataDir reads without it, its hash that of the config alone", (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const path = join(dir, 'v3.sqlite');
  const v3 = openDatabase(path, { migrateTo: 3 });
  const config = smallConfig();
  const stored = { ...config, dataDir: '/home/someone/fashion' };
  v3.prepare(`INSERT INTO runs (id, name, status, created_at, config_json, config_hash, model, input_size, width_ratio,
      epochs, batch_size, learning_rate, momentum, seed, dataset, engine_choice)
    VALUES ('bbbb0001', 'old', 'completed', 1000, ?, ?, 'vgg11', 32, 8, 2, 16, 0.05, 0, 0, 'fashion-mnist', 'auto')`).run(
    JSON.stringify(stored),
    configHash(stored),
  );
  v3.close();
  // What reads a config without the migration (an old export being imported) drops the key too.
  assert.deepEqual(runConfigSchema.parse(stored), config);

  const store = RunStore.open(path);
  t.after(() => store.close());
  const run = store.requireRun('bbbb0001');
  assert.deepEqual(run.config, config);
  assert.equal('dataDir' in run.config, false);
  assert.equal(run.configHash, configHash(config), 'equal configs from different folders hash equal');
  const row = openDatabase(path);
  t.after(() => row.close());
  const { config_json } = row.prepare(`SELECT config_json FROM runs WHERE id = 'bbbb0001'`).get() as { config_json: string };
  assert.equal(config_json.includes('dataDir'), false, 'the path is gone from the file too');
});

test('a run status outside the known set is refused by the schema', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = RunStore.open(join(dir, 'runs.sqlite'));
  t.after(() => store.close());
  const id = store.createRun(smallConfig());
  const db = openDatabase(join(dir, 'runs.sqlite'));
  t.after(() => db.close());
  assert.throws(
    () => db.prepare(`UPDATE runs SET status = 'paused' WHERE id = ?`).run(id),
    /CHECK constraint failed/,
  );
});
