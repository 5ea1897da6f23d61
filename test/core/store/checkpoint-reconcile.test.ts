import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointIOHandler } from '../../../src-main/core/checkpoint/checkpoint-io';
import { RunStore, type RunStoreOptions } from '../../../src-main/core/store/run-store';
import { smallConfig, tempDir } from './store-fixtures';

/** Opens a store collecting its notices instead of printing them. */
function open(path: string, options: RunStoreOptions = {}): { store: RunStore; notices: string[] } {
  const notices: string[] = [];
  const store = RunStore.open(path, { ...options, onNotice: (message) => notices.push(message) });
  return { store, notices };
}

/** A stopped run (no live owner), so its folder may be reconciled. */
function stoppedRun(store: RunStore): string {
  const id = store.createRun(smallConfig());
  store.finishRun(id, { status: 'completed', time: 1, epochsCompleted: 1, durationSeconds: 1 });
  return id;
}

/** Writes a real checkpoint file (magic, header, weights) at `path` through the store's writer. */
async function writeWhole(path: string, weightBytes = 64): Promise<CheckpointIOHandler['saved'] & object> {
  const handler = new CheckpointIOHandler(path);
  await handler.save({ modelTopology: { layers: [] }, weightSpecs: [], weightData: new ArrayBuffer(weightBytes) });
  return handler.saved!;
}

async function recordCheckpoint(store: RunStore, runId: string, epoch: number): Promise<string> {
  const saved = await writeWhole(store.checkpointFolder.pathFor(runId, epoch));
  store.addCheckpoint(runId, { epoch, ...saved });
  return saved.path;
}

/** A pid no process has: one that just ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test('exp.sqlite and exp.sqlite3 keep separate checkpoints: a delete in one leaves the other\'s files', async (t) => {
  const { dir, cleanup } = tempDir('reconcile-');
  t.after(cleanup);
  const { store: a } = open(join(dir, 'exp.sqlite'));
  const id = stoppedRun(a);
  const file = await recordCheckpoint(a, id, 0);
  a.close();
  assert.equal(dirname(dirname(file)), join(dir, 'exp.sqlite-checkpoints'));
  copyFileSync(join(dir, 'exp.sqlite'), join(dir, 'exp.sqlite3'));
  copyFileSync(join(dir, 'exp.sqlite'), join(dir, 'exp'));

  for (const copy of ['exp.sqlite3', 'exp']) {
    const { store: b } = open(join(dir, copy));
    assert.notEqual(b.checkpointFolder.root, join(dir, 'exp.sqlite-checkpoints'));
    b.deleteRun(id);
    b.close();
    assert.equal(existsSync(file), true, `a delete in ${copy} removed exp.sqlite's checkpoint`);
  }
  const { store: again } = open(join(dir, 'exp.sqlite'));
  t.after(() => again.close());
  assert.equal((await again.intactCheckpoint(id)).checkpoint?.epoch, 0);
});

test('checkpoints in the folder earlier releases shared by stem move to the database\'s own, said once', async (t) => {
  const { dir, cleanup } = tempDir('reconcile-');
  t.after(cleanup);
  const legacy = join(dir, 'exp-checkpoints');
  const { store: old } = open(join(dir, 'exp.sqlite'), { checkpointsDir: legacy });
  const id = stoppedRun(old);
  const oldFile = await recordCheckpoint(old, id, 2);
  old.close();
  assert.equal(dirname(dirname(oldFile)), legacy);

  const { store, notices } = open(join(dir, 'exp.sqlite'));
  assert.equal(notices.length, 1, notices.join('\n'));
  assert.match(notices[0]!, /moved 1 checkpoint file\(s\) of exp\.sqlite from .*exp-checkpoints to its own folder .*exp\.sqlite-checkpoints/);
  const { checkpoint } = await store.intactCheckpoint(id);
  assert.equal(checkpoint?.path, join(dir, 'exp.sqlite-checkpoints', id, 'epoch-2.ckpt'));
  assert.equal(existsSync(legacy), false, 'the emptied legacy folder goes');
  store.close();
  const { store: reopened, notices: none } = open(join(dir, 'exp.sqlite'));
  reopened.close();
  assert.deepEqual(none, []);
});

test('a legacy folder two databases claim is linked, never moved: a delete in one keeps the other\'s file', async (t) => {
  const { dir, cleanup } = tempDir('reconcile-');
  t.after(cleanup);
  const legacy = join(dir, 'exp-checkpoints');
  const { store: old } = open(join(dir, 'exp.sqlite'), { checkpointsDir: legacy });
  const id = stoppedRun(old);
  const oldFile = await recordCheckpoint(old, id, 0);
  old.close();
  copyFileSync(join(dir, 'exp.sqlite'), join(dir, 'exp.sqlite3'));

  const { store: a, notices } = open(join(dir, 'exp.sqlite'));
  assert.match(notices.join('\n'), /originals stay in .*exp-checkpoints, which exp\.sqlite3 may use too/);
  assert.equal(existsSync(oldFile), true);
  a.deleteRun(id);
  a.close();
  const { store: b } = open(join(dir, 'exp.sqlite3'));
  t.after(() => b.close());
  assert.equal((await b.intactCheckpoint(id)).checkpoint?.path, join(dir, 'exp.sqlite3-checkpoints', id, 'epoch-0.ckpt'));
});

test('orphans: a whole unrecorded checkpoint is adopted; torn, temp and run-less files are removed; each said once', async (t) => {
  const { dir, cleanup } = tempDir('reconcile-');
  t.after(cleanup);
  const db = join(dir, 'exp.sqlite');
  const { store: first } = open(db);
  const id = stoppedRun(first);
  const recorded = await recordCheckpoint(first, id, 0);
  const folder = first.checkpointFolder;
  first.close();

  // A SIGKILL between the rename and the row: a whole file no row names.
  const adopted = await writeWhole(folder.pathFor(id, 1), 128);
  // A torn file under a final name, a temp file whose writer is gone, and a file of a run that is not here.
  const torn = folder.pathFor(id, 2);
  writeFileSync(torn, 'VGGWCKP1 torn');
  const temp = `${folder.pathFor(id, 3)}.${deadPid()}.abcd1234.tmp`;
  writeFileSync(temp, 'half');
  const liveTemp = `${folder.pathFor(id, 4)}.${process.pid}.abcd1234.tmp`;
  writeFileSync(liveTemp, 'being written');
  mkdirSync(folder.runDir('gone0000'), { recursive: true });
  const stray = await writeWhole(folder.pathFor('gone0000', 0));
  const unrelated = join(folder.root, id, 'notes.txt');
  writeFileSync(unrelated, 'not a checkpoint name: left alone');

  const { store, notices } = open(db);
  assert.equal(notices.length, 4, notices.join('\n'));
  assert.match(notices.join('\n'), new RegExp(`adopted .*epoch-1\\.ckpt: run ${id}'s checkpoint of epoch 1 was written but never recorded`));
  assert.deepEqual(store.checkpoints(id).map((c) => [c.epoch, c.bytes, c.sha256]), [
    [0, store.checkpoints(id)[0]!.bytes, store.checkpoints(id)[0]!.sha256],
    [1, adopted.bytes, adopted.sha256],
  ]);
  assert.equal((await store.intactCheckpoint(id)).checkpoint?.epoch, 1);
  for (const gone of [torn, temp, stray.path]) assert.equal(existsSync(gone), false, gone);
  for (const kept of [recorded, adopted.path, liveTemp, unrelated]) assert.equal(existsSync(kept), true, kept);
  assert.equal(existsSync(folder.runDir('gone0000')), false);
  store.close();

  const { store: again, notices: none } = open(db);
  again.close();
  assert.deepEqual(none, []);
  assert.deepEqual(readdirSync(folder.runDir(id)).sort(), ['epoch-0.ckpt', 'epoch-1.ckpt', `epoch-4.ckpt.${process.pid}.abcd1234.tmp`, 'notes.txt']);
});

test('a resume that discards later epochs deletes their files, so they are not adopted back', async (t) => {
  const { dir, cleanup } = tempDir('reconcile-');
  t.after(cleanup);
  const { store, notices } = open(join(dir, 'exp.sqlite'));
  t.after(() => store.close());
  const id = stoppedRun(store);
  await recordCheckpoint(store, id, 0);
  const later = await recordCheckpoint(store, id, 1);
  store.discardAfterEpoch(id, 0);
  assert.equal(existsSync(later), false);
  assert.deepEqual(notices, []);
});

test('a row whose file is gone is dropped, said once; a whole missing folder keeps its rows', async (t) => {
  const { dir, cleanup } = tempDir('reconcile-');
  t.after(cleanup);
  const db = join(dir, 'exp.sqlite');
  const { store: first } = open(db);
  const id = stoppedRun(first);
  const kept = await recordCheckpoint(first, id, 0);
  const gone = await recordCheckpoint(first, id, 1);
  const folder = first.checkpointFolder;
  first.close();

  rmSync(gone);
  const { store, notices } = open(db);
  assert.deepEqual(notices, [`forgot run ${id}'s checkpoint of epoch 1: its file ${gone} is gone`]);
  assert.deepEqual(store.checkpoints(id).map((c) => c.path), [kept]);
  store.close();
  const { store: again, notices: none } = open(db);
  again.close();
  assert.deepEqual(none, []);

  // The whole folder missing (an unmounted disk, say): the rows wait for it.
  renameSync(folder.root, `${folder.root}.away`);
  const { store: away, notices: quiet } = open(db);
  assert.deepEqual(quiet, []);
  assert.deepEqual(away.checkpoints(id).map((c) => c.path), [kept]);
  away.close();
});
