import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src-main/api/api-error';
import type { WorkbenchEvent } from '../../src-main/api/events';
import { base64ToBytes } from '../../src-main/api/pixels';
import { loadFashionMnistSplit } from '../../src-main/core/data/fashion-mnist';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { EventLog, isRunEvent } from './event-log';

// Small LeNet runs on the wasm engine: a few seconds each on a shared 2-core machine.
// Layer statistics off: these tests count a run's events and replay positions one by one (layer-stats tests cover them).
const tiny = { model: 'lenet', epochs: 1, batchSize: 64, lr: 0.1, testLimit: 100, engine: 'wasm', layerStats: 'off' } as const;

let dir: string;
let service: ExperimentService;
const first = new EventLog();
const second = new EventLog();
const ids: { cancelledMidEpoch: string; completed: string; cancelledQueued: string } = {
  cancelledMidEpoch: '',
  completed: '',
  cancelledQueued: '',
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'service-test-'));
  service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir });
  service.subscribe(first.listener);
  service.subscribe(second.listener);
});

after(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a queue of runs trains one at a time; a running and a queued run are cancelled, the other completes', async () => {
  const { runs } = await service.call('runs.startQueue', {
    runs: [
      { config: { ...tiny, trainLimit: 6400, name: 'long' } },
      { config: { ...tiny, trainLimit: 256, name: 'short' }, tags: ['smoke'] },
      { config: { ...tiny, trainLimit: 256, name: 'never' } },
    ],
  });
  assert.deepEqual(
    runs.map((r) => [r.name, r.status]),
    [
      ['long', 'queued'],
      ['short', 'queued'],
      ['never', 'queued'],
    ],
  );
  [ids.cancelledMidEpoch, ids.completed, ids.cancelledQueued] = runs.map((r) => r.id);

  assert.deepEqual(await service.call('runs.cancel', { runId: ids.cancelledQueued }), {
    runId: ids.cancelledQueued,
    was: 'queued',
  });
  const queue = await service.call('runs.queue', {});
  assert.equal(queue.running?.runId, ids.cancelledMidEpoch);
  assert.deepEqual(queue.queued.map((q) => q.runId), [ids.completed]);

  await first.waitFor(isRunEvent(ids.cancelledMidEpoch, 'batch', (e) => e.type === 'batch' && e.batch === 2));
  // A view opening now catches up: what it is given plus what arrives after `seq` is the whole stream.
  const soFar = await service.call('runs.events', { runId: ids.cancelledMidEpoch });
  const announced = first.events.flatMap((e) =>
    e.topic === 'run' && e.runId === ids.cancelledMidEpoch && e.seq <= soFar.seq ? [e.event] : [],
  );
  assert.deepEqual(soFar.events, announced);
  assert.ok(soFar.events.length >= 4);
  assert.deepEqual(await service.call('runs.cancel', { runId: ids.cancelledMidEpoch }), {
    runId: ids.cancelledMidEpoch,
    was: 'running',
  });
  await service.idle();

  // Every subscriber saw the same events in the same order, numbered without gaps.
  assert.deepEqual(second.events, first.events);
  assert.deepEqual(
    first.events.map((e) => e.seq),
    first.events.map((_, i) => first.events[0]!.seq + i),
  );

  const long = first.runEvents(ids.cancelledMidEpoch);
  assert.equal(long[0]?.type, 'start');
  assert.ok(long.slice(1, -1).every((e) => e.type === 'batch'), 'no epoch ends: cancelled mid-epoch');
  const batchCount = long.length - 2;
  assert.ok(batchCount >= 3 && batchCount < 100, `${batchCount} batches of 100 before the cancel took`);
  assert.deepEqual(long.at(-1), { ...long.at(-1), type: 'done', status: 'cancelled', epochs: 0 });

  const short = first.runEvents(ids.completed);
  assert.deepEqual(
    short.map((e) => e.type),
    ['start', 'batch', 'batch', 'batch', 'batch', 'epoch', 'done'],
  );
  assert.deepEqual((await service.call('runs.events', { runId: ids.completed })).events, short, 'recorded = live');
  const end = short.at(-1);
  assert.equal(end?.type === 'done' && end.status, 'completed');

  // One at a time: the second run started after the first had ended.
  const seqOf = (runId: string, type: string) =>
    first.events.find((e) => e.topic === 'run' && e.runId === runId && e.event.type === type)!.seq;
  assert.ok(seqOf(ids.cancelledMidEpoch, 'done') < seqOf(ids.completed, 'start'));
  assert.deepEqual(first.runEvents(ids.cancelledQueued).map((e) => e.type), ['done']);

  // The store agrees with what was announced.
  const status = async (runId: string) => (await service.call('runs.get', { runId })).run.status;
  assert.equal(await status(ids.cancelledMidEpoch), 'cancelled');
  assert.equal(await status(ids.completed), 'completed');
  assert.equal(await status(ids.cancelledQueued), 'cancelled');
  const got = await service.call('runs.get', { runId: ids.completed });
  assert.deepEqual(got.run.tags, ['smoke']);
  assert.equal(got.hasConfusion, true);
  const { matrix } = await service.call('runs.confusion', { runId: ids.completed });
  assert.equal(matrix.flat().reduce((a, b) => a + b, 0), 100);
  const { points } = await service.call('runs.metrics', { runId: ids.completed, keys: ['batch.loss'] });
  assert.deepEqual(
    points.map((p) => p.value),
    short.flatMap((e) => (e.type === 'batch' ? [e.loss] : [])),
  );
  await assert.rejects(service.call('runs.confusion', { runId: ids.cancelledMidEpoch }), { code: 'unavailable' });
  const finalQueue = first.events.filter((e) => e.topic === 'queue').at(-1);
  assert.deepEqual(finalQueue?.topic === 'queue' && finalQueue.queue, { running: null, queued: [] });
});

test('a recorded run replays through the API: play to the end, seek back, close', async () => {
  const live = first.runEvents(ids.completed);
  const { replay } = await service.call('replay.open', { runId: ids.completed, speed: 'max' });
  assert.equal(replay.total, live.length);
  assert.equal(replay.position, 0);
  assert.equal(replay.lastStep, 3);
  const replayed = () =>
    first.events.flatMap((e) => (e.topic === 'replay' && e.replayId === replay.replayId ? [e.signal] : []));

  await service.call('replay.play', { replayId: replay.replayId });
  await first.waitFor((e) => e.topic === 'replay' && e.replayId === replay.replayId && e.signal.kind === 'end');
  const signals = replayed();
  assert.deepEqual(signals.at(-1), { kind: 'end' });
  const events = signals.flatMap((s) => (s.kind === 'event' ? [s.event] : []));
  assert.deepEqual(events.map((e) => e.type), live.map((e) => e.type));
  const losses = (list: typeof live) => list.flatMap((e) => (e.type === 'batch' ? [e.loss] : []));
  assert.deepEqual(losses(events), losses(live));

  const before = replayed().length;
  const seeked = await service.call('replay.seek', { replayId: replay.replayId, target: { step: 1 } });
  assert.equal(seeked.replay.position, 3);
  assert.deepEqual(
    replayed()
      .slice(before)
      .map((s) => (s.kind === 'event' ? s.event.type : s.kind)),
    ['reset', 'start', 'batch', 'batch'],
  );
  const slowed = await service.call('replay.setSpeed', { replayId: replay.replayId, speed: 4 });
  assert.equal(slowed.replay.speed, 4);
  assert.deepEqual(await service.call('replay.close', { replayId: replay.replayId }), { closed: true });
  await assert.rejects(service.call('replay.play', { replayId: replay.replayId }), { code: 'not-found' });
});

test('invalid requests are refused with the field at fault and change nothing', async () => {
  const before = (await service.call('runs.list', {})).runs.length;
  const seqBefore = first.events.length;
  const refusal = async (method: string, request: unknown) => {
    const envelope = await service.dispatch(method, request);
    assert.equal(envelope.ok, false);
    return envelope.ok ? undefined : envelope.error;
  };
  assert.equal((await refusal('runs.start', { config: { model: 'lenet', resize: 'big' } }))?.field, 'config.resize');
  assert.deepEqual(await refusal('runs.start', { config: { model: 'vgg11', resize: 28 } }), {
    code: 'invalid-request',
    message: (await refusal('runs.start', { config: { model: 'vgg11', resize: 28 } }))?.message,
    field: 'config.resize',
    minimumSide: 32,
    // The way out, as data: the GUI offers it as a button, the CLI as --resize.
    suggestions: [{ field: 'resize', min: 32 }],
  });
  assert.equal((await refusal('runs.start', { config: { model: 'lenet', widthRatio: 4 } }))?.field, 'config.model');
  assert.equal((await refusal('runs.start', { config: { model: 'lenet' }, extra: 1 }))?.code, 'invalid-request');
  assert.equal((await refusal('runs.start', null))?.code, 'invalid-request');
  assert.equal((await refusal('runs.explode', {}))?.code, 'unknown-method');
  assert.equal((await refusal('runs.delete', { runId: 'nope' }))?.code, 'not-found');
  const queue = await refusal('runs.startQueue', {
    runs: [{ config: { ...tiny, trainLimit: 64 } }, { config: { ...tiny, epochs: 0 } }],
  });
  assert.equal(queue?.field, 'runs.1.config.epochs');
  assert.equal((await service.call('runs.list', {})).runs.length, before, 'no run was created');
  assert.equal(first.events.length, seqBefore, 'nothing was announced');
  await assert.rejects(service.call('runs.cancel', { runId: ids.completed }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'conflict');
    return true;
  });
});

test('misclassified images come from the checkpoint the run saved, and agree with its confusion matrix', async () => {
  const cancelled = await service.call('runs.misclassified', { runId: ids.cancelledMidEpoch });
  assert.equal(cancelled.available, false);
  assert.match(cancelled.available ? '' : cancelled.reason, /is cancelled/);

  const { checkpoints } = await service.call('runs.get', { runId: ids.completed });
  assert.deepEqual(checkpoints.map((c) => c.epoch), [0], "the final epoch's checkpoint (policy 'last')");
  const all = await service.call('runs.misclassified', { runId: ids.completed, limit: 500 });
  assert.ok(all.available, all.available ? '' : all.reason);
  const { matrix } = await service.call('runs.confusion', { runId: ids.completed });
  const trace = matrix.reduce((sum, row, i) => sum + row[i]!, 0);
  assert.equal(all.evaluated, 100);
  assert.equal(all.wrong, 100 - trace);
  assert.equal(all.images.length, all.wrong);
  // The same model on the same images: every off-diagonal count is the number of images shown for it.
  const offDiagonal = matrix.map((row, truth) => row.map((count, guess) => (truth === guess ? 0 : count)));
  const counted = matrix.map((row) => row.map(() => 0));
  for (const image of all.images) counted[image.label]![image.predicted]! += 1;
  assert.deepEqual(counted, offDiagonal);

  const test = await loadFashionMnistSplit(REAL_DATA_DIR, 'test');
  const some = await service.call('runs.misclassified', { runId: ids.completed, limit: 3 });
  assert.ok(some.available);
  assert.deepEqual(some.images, all.images.slice(0, 3));
  for (const image of some.images) {
    assert.notEqual(image.predicted, image.label);
    assert.equal(image.label, test.labels[image.index]);
    assert.deepEqual(base64ToBytes(image.pixels), test.images.subarray(image.index * 784, (image.index + 1) * 784));
  }
});

test('models, dataset status and samples answer without the worker', async () => {
  const { presets } = await service.call('models.presets', {});
  const vgg11 = presets.find((p) => p.id === 'vgg11');
  assert.equal(vgg11?.minimumSide, 32);
  const { summary, minimumSide } = await service.call('models.summary', { model: 'vgg11', widthRatio: 8, resize: 32 });
  assert.equal(minimumSide, 32);
  assert.deepEqual(summary.inputShape, [32, 32, 1]);
  await assert.rejects(service.call('models.summary', { model: 'vgg11', resize: 16 }), { minimumSide: 32 } as object);

  const status = await service.call('dataset.status', {});
  assert.equal(status.location.kind, 'found');
  assert.equal(status.classes[9], 'Ankle boot');
  const samples = await service.call('dataset.samples', { split: 'train', count: 6, seed: 1, label: 3 });
  assert.equal(samples.images.length, 6);
  assert.ok(samples.images.every((image) => image.label === 3 && base64ToBytes(image.pixels).length === 784));
  const again = await service.call('dataset.samples', { split: 'train', count: 6, seed: 1, label: 3 });
  assert.deepEqual(again.images, samples.images, 'the same seed picks the same images');
});

test('tag, rename, export, import and delete; each change is announced', async () => {
  const changes = (from: number) =>
    first.events.slice(from).flatMap((e: WorkbenchEvent) => (e.topic === 'runs' ? [[e.change, e.runIds]] : []));
  const mark = first.events.length;
  const tagged = await service.call('runs.tag', { runId: ids.completed, add: ['baseline-ish', 'x'], remove: ['smoke'] });
  assert.deepEqual(tagged.run.tags, ['baseline-ish', 'x']);
  const renamed = await service.call('runs.rename', { runId: ids.completed, name: '  LeNet smoke  ' });
  assert.equal(renamed.run.name, 'LeNet smoke');

  const exported = await service.call('runs.export', { runIds: [ids.completed], format: 'json' });
  assert.equal(exported.fileName, `run-${ids.completed}.json`);
  const csv = await service.call('runs.export', { runIds: [ids.completed], format: 'csv' });
  assert.match(csv.content, /^run_id,run_name,key,step,epoch,value,wall_time\n/);
  await assert.rejects(service.call('runs.import', { content: exported.content }), {
    code: 'invalid-request',
    message: new RegExp(`run id ${ids.completed} is already in this database`),
  } as object);
  const renamedFile = JSON.parse(exported.content) as { runs: { id: string }[] };
  renamedFile.runs[0]!.id = 'copy-1';
  const imported = await service.call('runs.import', { content: JSON.stringify(renamedFile) });
  assert.equal(imported.runs.length, 1);
  const copy = imported.runs[0]!;
  assert.equal(copy.id, 'copy-1');
  assert.equal(imported.notice !== undefined, copy.withoutWeights, 'a notice exactly when weights stayed behind');
  await assert.rejects(service.call('runs.import', { content: '{"format":"something else"}' }), {
    code: 'invalid-request',
  } as object);

  const deleted = await service.call('runs.delete', { runId: copy.id });
  assert.ok(Array.isArray(deleted.deletedFiles));
  await assert.rejects(service.call('runs.get', { runId: copy.id }), { code: 'not-found' } as object);
  assert.deepEqual(changes(mark), [
    ['updated', [ids.completed]],
    ['updated', [ids.completed]],
    ['created', [copy.id]],
    ['deleted', [copy.id]],
  ]);
});

test("a run trains from the folder its request names, and its stored config holds no path of this machine", async () => {
  const refused = await service.dispatch('runs.start', { config: { ...tiny, trainLimit: 64 }, dataDir: join(dir, 'nowhere') });
  assert.equal(refused.ok, false);
  assert.equal(refused.ok ? undefined : refused.error.field, 'dataDir');
  // The folder is a parameter of queueing, not of the run: it is no field of the config.
  const inConfig = await service.dispatch('runs.start', { config: { ...tiny, dataDir: REAL_DATA_DIR } });
  assert.equal(inConfig.ok ? undefined : inConfig.error.code, 'invalid-request');
  assert.match(inConfig.ok ? '' : inConfig.error.message, /dataDir/);

  const { run } = await service.call('runs.start', { config: { ...tiny, trainLimit: 64, testLimit: 32 }, dataDir: REAL_DATA_DIR });
  await service.idle();
  const stored = service.store.requireRun(run.id);
  assert.equal(stored.status, 'completed');
  assert.equal('dataDir' in run.config, false);
  assert.equal('dataDir' in stored.config, false);
  assert.ok(!JSON.stringify(await service.call('runs.export', { runIds: [run.id], format: 'json' })).includes(REAL_DATA_DIR));
});
