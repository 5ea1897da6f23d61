import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { configHash } from '../../../src-main/core/store/config-hash';
import { sha256Hex } from '../../../src-main/core/checkpoint/sha256';
import { RunNotFoundError, RunStore } from '../../../src-main/core/store/run-store';
import type { StartEvent } from '../../../src-main/shared/train/events';
import { smallConfig, syntheticRun, tempDir } from './store-fixtures';

function openTemp(t: { after: (fn: () => void) => void }): { store: RunStore; dir: string } {
  const { dir, cleanup } = tempDir();
  const store = RunStore.open(join(dir, 'runs.sqlite'));
  t.after(() => {
    store.close();
    cleanup();
  });
  return { store, dir };
}

const HASH = 'ab'.repeat(32);

test('createRun stores the config, its hash and the hyper-parameters; getRun returns an entity', (t) => {
  const { store } = openTemp(t);
  const config = smallConfig({ name: 'first', lr: 0.01, seed: 7 });
  const id = store.createRun(config, {
    tags: ['sweep', ' sweep '],
    notes: 'why',
    baseline: true,
    createdAt: 42,
    architecture: [{ kind: 'flatten' }, { kind: 'dense', units: 10, activation: 'linear' }],
  });
  assert.match(id, /^[0-9a-f]{8}$/);
  const run = store.requireRun(id);
  assert.equal(run.name, 'first');
  assert.equal(run.status, 'queued');
  assert.equal(run.createdAt, 42);
  assert.deepEqual(run.config, config);
  assert.equal(run.configHash, configHash(config));
  assert.equal(run.model, 'vgg11');
  assert.equal(run.dataset, 'fashion-mnist');
  assert.deepEqual(run.tags, ['sweep']);
  assert.equal(run.notes, 'why');
  assert.equal(run.baseline, true);
  assert.deepEqual(run.architecture, [
    { kind: 'flatten' },
    { kind: 'dense', units: 10, activation: 'linear' },
  ]);
  assert.equal(run.engine, null);
  // The creating process owns the queue the run waits in.
  assert.deepEqual(run.owner, { pid: process.pid, hostname: hostname(), heartbeatAt: null });
  assert.deepEqual(run.summary, {});
  assert.equal(store.getRun('nope'), undefined);
  assert.throws(() => store.requireRun('nope'), RunNotFoundError);
});

test('equal configs hash equal whatever their key order; a changed value changes the hash', (t) => {
  const { store } = openTemp(t);
  const a = store.createRun({ model: 'lenet', resize: 28, epochs: 1, batchSize: 8, lr: 0.1 });
  const b = store.createRun({ lr: 0.1, batchSize: 8, epochs: 1, resize: 28, model: 'lenet' });
  const c = store.createRun({ model: 'lenet', resize: 28, epochs: 1, batchSize: 8, lr: 0.2 });
  assert.equal(store.requireRun(a).configHash, store.requireRun(b).configHash);
  assert.notEqual(store.requireRun(a).configHash, store.requireRun(c).configHash);
});

test('listRuns filters by status, model, tag and baseline, newest first', (t) => {
  const { store } = openTemp(t);
  const vgg = store.createRun(smallConfig(), { createdAt: 1, tags: ['a'] });
  const lenet = store.createRun(smallConfig({ model: 'lenet', resize: 28 }), {
    createdAt: 2,
    baseline: true,
  });
  const alex = store.createRun(smallConfig({ model: 'alexnet', resize: 64 }), { createdAt: 3, tags: ['a'] });
  store.finishRun(alex, { status: 'failed', time: 4, error: 'boom' });
  assert.deepEqual(store.listRuns().map((r) => r.id), [alex, lenet, vgg]);
  assert.deepEqual(store.listRuns({ tag: 'a' }).map((r) => r.id), [alex, vgg]);
  assert.deepEqual(store.listRuns({ baseline: true }).map((r) => r.id), [lenet]);
  assert.deepEqual(store.listRuns({ model: 'vgg11' }).map((r) => r.id), [vgg]);
  assert.deepEqual(store.listRuns({ status: 'failed' }).map((r) => r.id), [alex]);
  assert.deepEqual(store.listRuns({ status: ['queued', 'failed'], limit: 2 }).map((r) => r.id), [alex, lenet]);
  assert.equal(store.requireRun(alex).error, 'boom');
});

test('rename, notes, tags, baseline and id prefixes', (t) => {
  const { store } = openTemp(t);
  const id = store.createRun(smallConfig());
  store.renameRun(id, '  renamed ');
  store.setNotes(id, 'a note');
  store.tagRun(id, 'z');
  store.tagRun(id, 'b');
  store.untagRun(id, 'z');
  store.setBaseline(id, true);
  const run = store.requireRun(id);
  assert.equal(run.name, 'renamed');
  assert.equal(run.notes, 'a note');
  assert.deepEqual(run.tags, ['b']);
  assert.equal(run.baseline, true);
  assert.throws(() => store.renameRun(id, ' '), /cannot be empty/);
  assert.throws(() => store.tagRun(id, ''), /cannot be empty/);
  assert.throws(() => store.renameRun('missing', 'x'), RunNotFoundError);
  assert.equal(store.resolveRunId(id.slice(0, 5)), id);
  assert.equal(store.resolveRunId(id), id);
  assert.throws(() => store.resolveRunId('zz'), RunNotFoundError);
  assert.throws(() => store.resolveRunId(''), RunNotFoundError);
  // 17 ids over 16 hex digits: two share a first digit (pigeonhole), so that prefix is ambiguous.
  const ids = [id, ...Array.from({ length: 16 }, () => store.createRun(smallConfig()))];
  const shared = ids.map((x) => x[0]).find((c, i, all) => all.indexOf(c) !== i);
  assert.ok(shared);
  assert.throws(() => store.resolveRunId(shared), /ambiguous/);
});

test('the summary keeps last and best per key across chunks (min for loss/seconds, max otherwise, NaN ignored)', (t) => {
  const { store } = openTemp(t);
  const id = store.createRun(smallConfig());
  const point = (key: string, step: number, value: number) => ({
    key,
    step,
    epoch: 0,
    batch: step,
    value,
    wallTime: 100 + step,
  });
  store.appendMetrics(id, [point('batch.loss', 0, 1.5), point('batch.loss', 1, Number.NaN), point('epoch.seconds', 0, 9)]);
  store.appendMetrics(id, [point('batch.loss', 2, 0.8), point('batch.loss', 3, 1.1), point('batch.accuracy', 3, 0.4)]);
  store.appendMetrics(id, [point('batch.loss', 4, 0.8), point('batch.accuracy', 4, 0.3), point('epoch.seconds', 1, 8)]);
  const summary = store.metricSummary(id);
  assert.equal(summary['batch.loss'].count, 5);
  assert.deepEqual(summary['batch.loss'].best, { value: 0.8, step: 2, epoch: 0 });
  assert.deepEqual(summary['batch.loss'].last, { value: 0.8, step: 4, epoch: 0, wallTime: 104 });
  assert.deepEqual(summary['batch.accuracy'].best, { value: 0.4, step: 3, epoch: 0 });
  assert.equal(summary['batch.accuracy'].last.value, 0.3);
  assert.deepEqual(summary['epoch.seconds'].best, { value: 8, step: 1, epoch: 0 });
  // A NaN last value is reported as such.
  store.appendMetrics(id, [point('batch.loss', 5, Number.NaN)]);
  assert.ok(Number.isNaN(store.metricSummary(id)['batch.loss'].last.value));
  assert.deepEqual(store.metricSummary(id)['batch.loss'].best, { value: 0.8, step: 2, epoch: 0 });
  // Points read back in recorded order, NaN intact, filtered by key.
  const losses = store.metrics(id, ['batch.loss']);
  assert.deepEqual(losses.map((p) => p.step), [0, 1, 2, 3, 4, 5]);
  assert.ok(Number.isNaN(losses[1].value));
  assert.equal(store.metrics(id).length, 10);
});

test('markStarted and finishRun record engine, host, owner, shape and outcome', (t) => {
  const { store } = openTemp(t);
  const id = store.createRun(smallConfig());
  const start = syntheticRun()[0] as StartEvent;
  const startWithGpu: StartEvent = {
    ...start,
    engine: { ...start.engine, detail: 'GPU: Test GPU' },
  };
  store.markStarted(id, startWithGpu, { os: 'Linux', cpu: 'cpu', gpu: 'Test GPU' }, { pid: 12, hostname: 'h' });
  let run = store.requireRun(id);
  assert.equal(run.status, 'running');
  assert.equal(run.startedAt, start.time);
  assert.deepEqual(run.engine, { id: 'cpu', backend: 'cpu', version: '4.22.0', detail: 'GPU: Test GPU' });
  assert.deepEqual(run.host, { os: 'Linux', cpu: 'cpu', gpu: 'Test GPU' });
  assert.deepEqual(run.owner, { pid: 12, hostname: 'h', heartbeatAt: start.time });
  assert.equal(run.params, start.params);
  assert.equal(run.macs, start.macs);
  assert.deepEqual(run.shape, { trainSize: 80, testSize: 40, stepsPerEpoch: 5, firstEpoch: 0 });
  store.heartbeat(id, start.time + 5);
  assert.equal(store.requireRun(id).owner?.heartbeatAt, start.time + 5);
  store.finishRun(id, { status: 'cancelled', time: start.time + 10, epochsCompleted: 1, durationSeconds: 0.01 });
  run = store.requireRun(id);
  assert.equal(run.status, 'cancelled');
  assert.equal(run.finishedAt, start.time + 10);
  assert.equal(run.epochsCompleted, 1);
  assert.equal(run.durationSeconds, 0.01);
});

test('reapInterrupted marks dead owners only: unknown pid here, stale heartbeat elsewhere', (t) => {
  const { store } = openTemp(t);
  const start = syntheticRun()[0] as StartEvent;
  const host = { os: 'x', cpu: null, gpu: null };
  const now = 10_000_000;
  const alive = store.createRun(smallConfig());
  store.markStarted(alive, start, host, { pid: process.pid, hostname: 'here' });
  const dead = store.createRun(smallConfig());
  // 2^22 + a bit is above Linux's default pid_max; no such process exists.
  store.markStarted(dead, start, host, { pid: 4_194_999, hostname: 'here' });
  const remoteFresh = store.createRun(smallConfig());
  store.markStarted(remoteFresh, start, host, { pid: 1, hostname: 'elsewhere' });
  store.heartbeat(remoteFresh, now - 1000);
  const remoteStale = store.createRun(smallConfig());
  store.markStarted(remoteStale, start, host, { pid: 1, hostname: 'elsewhere' });
  store.heartbeat(remoteStale, now - 60_000);
  const finished = store.createRun(smallConfig());
  store.markStarted(finished, start, host, { pid: 4_194_999, hostname: 'here' });
  store.finishRun(finished, { status: 'completed', time: 5, epochsCompleted: 1, durationSeconds: 1 });

  const reaped = store.reapInterrupted({ hostname: 'here', now, heartbeatTimeoutMs: 30_000 });
  assert.deepEqual(reaped.sort(), [dead, remoteStale].sort());
  assert.equal(store.requireRun(alive).status, 'running');
  assert.equal(store.requireRun(remoteFresh).status, 'running');
  assert.equal(store.requireRun(finished).status, 'completed');
  const reapedRun = store.requireRun(remoteStale);
  assert.equal(reapedRun.status, 'interrupted');
  assert.equal(reapedRun.finishedAt, now - 60_000, 'finished at its last heartbeat');
  assert.match(reapedRun.error ?? '', /process 1 on elsewhere/);
});

/** Writes a checkpoint file where the store keeps it and returns what addCheckpoint takes. */
function writeCheckpoint(store: RunStore, runId: string, epoch: number, content = `epoch ${epoch}`) {
  const path = store.checkpointFolder.pathFor(runId, epoch);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return { epoch, path, bytes: Buffer.byteLength(content), sha256: sha256Hex(Buffer.from(content)) };
}

test('checkpoints: latest by epoch; deleteRun removes the run\'s files in the store\'s folder', (t) => {
  const { store, dir } = openTemp(t);
  const id = store.createRun(smallConfig());
  const other = store.createRun(smallConfig());
  assert.equal(store.checkpointFolder.root, join(dir, 'checkpoints'), 'runs.sqlite keeps the app\'s layout');
  const e0 = writeCheckpoint(store, id, 0);
  const e1 = writeCheckpoint(store, id, 1);
  const o3 = writeCheckpoint(store, other, 3);
  store.addCheckpoint(id, { ...e1, createdAt: 20 });
  store.addCheckpoint(id, { ...e0, createdAt: 30 });
  store.addCheckpoint(other, o3);
  assert.equal(store.latestCheckpoint(id)?.path, e1.path);
  assert.deepEqual(store.checkpoints(id).map((c) => c.epoch), [0, 1]);
  assert.equal(store.latestCheckpoint(other)?.epoch, 3);
  assert.throws(() => store.addCheckpoint(id, { ...e0, sha256: 'short' }), /CHECK/);
  store.setConfusion(id, [
    [3, 1],
    [0, 4],
  ]);
  store.appendMetrics(id, [{ key: 'batch.loss', step: 0, epoch: 0, batch: 0, value: 1, wallTime: 1 }]);

  const { deletedFiles } = store.deleteRun(id);
  assert.deepEqual(deletedFiles.sort(), [e0.path, e1.path].sort());
  assert.equal(existsSync(e0.path), false);
  assert.equal(existsSync(dirname(e0.path)), false, 'the emptied run folder goes too');
  assert.equal(existsSync(o3.path), true);
  assert.equal(store.getRun(id), undefined);
  assert.deepEqual(store.metrics(id), []);
  assert.deepEqual(store.metricSummary(id), {});
  assert.deepEqual(store.checkpoints(id), []);
  assert.equal(store.getConfusion(id), null);
  assert.equal(store.latestCheckpoint(other)?.path, o3.path);
  assert.throws(() => store.deleteRun(id), RunNotFoundError);
});

test('addCheckpoint takes only the store\'s own name for the run and epoch', (t) => {
  const { store, dir } = openTemp(t);
  const id = store.createRun(smallConfig());
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'keep me');
  const record = { epoch: 0, path: victim, bytes: 7, sha256: HASH };
  assert.throws(() => store.addCheckpoint(id, record), /not where this store keeps/);
  const elsewhere = { ...record, path: store.checkpointFolder.pathFor(id, 1) };
  assert.throws(() => store.addCheckpoint(id, elsewhere), /epoch 0/, 'epoch 1\'s name for epoch 0');
  assert.deepEqual(store.checkpoints(id), []);
});

test('a row naming a file outside the folder loses its row on delete, never the file', (t) => {
  const { store, dir } = openTemp(t);
  const id = store.createRun(smallConfig());
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'keep me');
  const linked = store.checkpointFolder.pathFor(id, 0);
  mkdirSync(dirname(linked), { recursive: true });
  // A link inside the folder that leads out of it is still outside.
  symlinkSync(victim, linked);
  store.addCheckpoint(id, { epoch: 0, path: linked, bytes: 7, sha256: HASH });
  // As a forged or older database would hold it: a row naming any path.
  const db = new Database(store.path);
  db.prepare(`INSERT INTO checkpoints (run_id, epoch, path, bytes, sha256, created_at) VALUES (?, 1, ?, 7, ?, 0)`).run(
    id,
    victim,
    HASH,
  );
  db.close();
  assert.deepEqual(store.deleteRun(id).deletedFiles, []);
  assert.equal(readFileSync(victim, 'utf8'), 'keep me');
});

test('intactCheckpoint passes over a corrupted or foreign newest file and says why, without its hash', async (t) => {
  const { store, dir } = openTemp(t);
  const id = store.createRun(smallConfig());
  store.addCheckpoint(id, writeCheckpoint(store, id, 0));
  store.addCheckpoint(id, writeCheckpoint(store, id, 1));
  const newest = writeCheckpoint(store, id, 2);
  store.addCheckpoint(id, newest);
  assert.equal((await store.intactCheckpoint(id)).checkpoint?.epoch, 2);

  writeFileSync(newest.path, 'epoch X'); // same size, other bytes
  const db = new Database(store.path);
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'epoch 1');
  db.prepare(`UPDATE checkpoints SET path = ? WHERE run_id = ? AND epoch = 1`).run(secret, id);
  db.close();
  const { checkpoint, skipped } = await store.intactCheckpoint(id);
  assert.equal(checkpoint?.epoch, 0);
  assert.deepEqual(skipped.map((s) => s.epoch), [2, 1]);
  assert.match(skipped[0]!.reason, /SHA-256 differs/);
  assert.match(skipped[1]!.reason, /not a file in this store's checkpoint folder/);
  const actual = sha256Hex(readFileSync(newest.path));
  assert.ok(!JSON.stringify(skipped).includes(actual), 'no hash of what the file holds');
  assert.equal(store.requireRun(id).status, 'queued', 'the record is untouched');
});

test('a run recorded by a live process cannot be deleted', (t) => {
  const { store } = openTemp(t);
  const id = store.createRun(smallConfig());
  store.markStarted(id, syntheticRun()[0] as StartEvent, { os: 'x', cpu: null, gpu: null }, {
    pid: process.pid,
    hostname: hostname(),
  });
  assert.throws(() => store.deleteRun(id), /still running/);
  assert.equal(store.requireRun(id).status, 'running');
});

test('confusion matrices must be square with non-negative integer counts', (t) => {
  const { store } = openTemp(t);
  const id = store.createRun(smallConfig());
  const matrix = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 90 : i + j)));
  store.setConfusion(id, matrix);
  assert.deepEqual(store.getConfusion(id), matrix);
  assert.throws(() => store.setConfusion(id, [[1, 2]]), /at least 2|square/);
  assert.throws(() => store.setConfusion(id, [[1, 2], [3]]), /square/);
  assert.throws(() => store.setConfusion(id, [[1, -2], [3, 4]]), /non-negative/);
  assert.throws(() => store.setConfusion(id, [[1, 2.5], [3, 4]]), /non-negative integers/);
  assert.deepEqual(store.getConfusion(id), matrix, 'refused writes change nothing');
});

test('setResumedConfig writes how long and where a run trains, and refuses any other change, writing nothing', (t) => {
  const { store } = openTemp(t);
  const config = smallConfig({ engine: 'wasm', threads: 2 });
  const id = store.createRun(config);
  const { threads: _dropped, ...rest } = config;
  store.setResumedConfig(id, { ...rest, epochs: 5, engine: 'pytorch', device: 'cpu', precision: 'bf16' });
  const moved = store.requireRun(id).config;
  assert.deepEqual(moved, { ...rest, epochs: 5, engine: 'pytorch', device: 'cpu', precision: 'bf16' });
  assert.equal(store.requireRun(id).configHash, configHash(moved), 'the columns follow the config');
  assert.deepEqual(store.listRuns({ model: config.model }).map((r) => r.config.epochs), [5]);

  for (const other of [{ lr: 0.5 }, { model: 'lenet' }, { seed: 3 }, { trainLimit: 64 }]) {
    assert.throws(() => store.setResumedConfig(id, { ...moved, ...other }), new RegExp(`resumes with its own ${Object.keys(other)[0]}: a resume changes only its epochs, engine, device, precision, threads`));
  }
  assert.deepEqual(store.requireRun(id).config, moved, 'a refused change writes nothing');
  assert.throws(() => store.setResumedConfig('nope', moved), RunNotFoundError);
});
