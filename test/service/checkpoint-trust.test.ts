import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunMessage } from '../../src-main/worker/protocol';
import { exportRuns } from '../../src-main/core/store/export-import';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { smallConfig, tempDir } from '../core/store/store-fixtures';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';

/**
 * Issue 13's holes through the API: a checkpoint path that came from an
 * import or a forged row is never read, and a corrupted newest checkpoint
 * makes resume fall back rather than fail the run.
 */

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function openService(t: { after: (fn: () => Promise<void> | void) => void }) {
  const { dir, cleanup } = tempDir('trust-');
  const requests: RunMessage[] = [];
  const service = ExperimentService.open({
    databasePath: join(dir, 'runs.sqlite'),
    dataDir: dir,
    // Resume locates the dataset when it queues the run, as a start does.
    systemDatasetDir: REAL_DATA_DIR,
    probeEngines: async () => [],
    // A worker that records what it was asked and trains nothing.
    createWorkerHost: () => ({
      run: async (request) => {
        requests.push(request);
        return { status: 'completed', epochsDone: 0 };
      },
      cancel: () => undefined,
      close: async () => undefined,
    }),
  });
  t.after(async () => {
    await service.close();
    cleanup();
  });
  return { service, dir, requests };
}

/** A completed run with checkpoints of epochs 0..n-1 written where the store keeps them. */
function completedRun(service: ExperimentService, epochs: number): string {
  const { store } = service;
  const id = store.createRun(smallConfig({ epochs }));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const path = store.checkpointFolder.pathFor(id, epoch);
    const content = `weights of epoch ${epoch}`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    store.addCheckpoint(id, { epoch, path, bytes: content.length, sha256: sha(content) });
  }
  store.finishRun(id, { status: 'completed', time: 1, epochsCompleted: epochs, durationSeconds: 1 });
  return id;
}

function forgeCheckpointRow(dbPath: string, runId: string, epoch: number, path: string, hash: string): void {
  const db = new Database(dbPath);
  db.prepare(`INSERT INTO checkpoints (run_id, epoch, path, bytes, sha256, created_at) VALUES (?, ?, ?, 1, ?, 0)`).run(
    runId,
    epoch,
    path,
    hash,
  );
  db.close();
}

test('an import naming /dev/zero or /etc/passwd as a checkpoint: resume reads nothing and leaks no hash', async (t) => {
  const { service } = openService(t);
  const id = completedRun(service, 1);
  const file = exportRuns(service.store, [id]);
  const passwdHash = sha(readFileSync('/etc/passwd'));
  for (const [i, path] of ['/dev/zero', '/etc/passwd'].entries()) {
    const run = { ...structuredClone(file.runs[0]!), id: `forged-${i}` };
    run.checkpoints = [{ epoch: 0, path, bytes: 1, sha256: 'a'.repeat(64), createdAt: 0 }];
    const imported = await service.call('runs.import', { content: JSON.stringify({ ...file, runs: [run] }) });
    assert.equal(imported.notice, 'imported without weights: evaluate and resume need a checkpoint');
    assert.deepEqual((await service.call('runs.get', { runId: run.id })).checkpoints, [], 'the path was not kept');
    const before = process.memoryUsage().rss;
    await assert.rejects(service.call('runs.resume', { runId: run.id, epochs: 3 }), (error: Error) => {
      assert.match(error.message, /no checkpoint to resume from/);
      assert.ok(!error.message.includes(passwdHash));
      return true;
    });
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stays bounded');
    assert.equal(service.store.requireRun(run.id).status, 'completed');
  }
});

test('a forged row naming /dev/zero or /etc/passwd is refused before anything is read', async (t) => {
  const { service } = openService(t);
  const passwdHash = sha(readFileSync('/etc/passwd'));
  for (const path of ['/dev/zero', '/etc/passwd']) {
    const id = service.store.createRun(smallConfig({ epochs: 2 }));
    service.store.finishRun(id, { status: 'completed', time: 1, epochsCompleted: 1, durationSeconds: 1 });
    forgeCheckpointRow(service.store.path, id, 0, path, 'b'.repeat(64));
    const before = process.memoryUsage().rss;
    await assert.rejects(service.call('runs.resume', { runId: id, epochs: 3 }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'conflict');
      assert.match(error.message, /no intact checkpoint.*is not a file in this store's checkpoint folder/);
      assert.ok(!error.message.includes(passwdHash), 'no hash of the file leaks');
      return true;
    });
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stays bounded');
    const misclassified = await service.call('runs.misclassified', { runId: id });
    assert.equal(misclassified.available, false);
    assert.ok(!JSON.stringify(misclassified).includes(passwdHash));
    assert.equal(service.store.requireRun(id).status, 'completed', 'the run keeps its true history');
  }
});

test('a corrupted newest checkpoint: resume goes on from the newest intact one and says so', async (t) => {
  const { service, requests } = openService(t);
  const id = completedRun(service, 3);
  const newest = service.store.checkpointFolder.pathFor(id, 2);
  writeFileSync(newest, 'weights of epoch X'); // same size, other bytes: a flipped block
  const { run, notice } = await service.call('runs.resume', { runId: id, epochs: 5 });
  assert.equal(run.status, 'queued');
  assert.match(notice ?? '', /resuming from the checkpoint of epoch 1, the newest intact one \(epoch 2: .*SHA-256 differs/);
  await service.idle();
  assert.equal(requests.at(-1)?.resume?.epoch, 1);
  assert.equal(requests.at(-1)?.resume?.path, service.store.checkpointFolder.pathFor(id, 1));
});

test('with every checkpoint corrupted, resume is refused and a completed run stays completed', async (t) => {
  const { service, requests } = openService(t);
  const id = completedRun(service, 2);
  for (const epoch of [0, 1]) writeFileSync(service.store.checkpointFolder.pathFor(id, epoch), 'garbage!garbage!garbage');
  await assert.rejects(service.call('runs.resume', { runId: id, epochs: 4 }), { code: 'conflict' } as object);
  const after = service.store.requireRun(id);
  assert.equal(after.status, 'completed');
  assert.equal(after.error, null);
  assert.equal(service.store.checkpoints(id).length, 2, 'nothing discarded');
  assert.equal(requests.length, 0);
});
