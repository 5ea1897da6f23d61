import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src-main/api/api-error';
import { ExperimentService } from '../../src-main/service/experiment-service';
import type { StartEvent } from '../../src-main/shared/train/events';

// Narrow VGGs on a few images: seconds on the wasm engine.
const tiny = { widthRatio: 16, denseUnits: 32, resize: 32, epochs: 1, batchSize: 32, lr: 0.01, momentum: 0.9, trainLimit: 64, testLimit: 32, engine: 'wasm' } as const;

let dir: string;
let service: ExperimentService;
const starts = new Map<string, StartEvent>();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'warm-start-test-'));
  // 'last': the default, so the queue's VGG-11 leaves the checkpoint its successors start from.
  service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir });
  service.subscribe((message) => {
    if (message.topic === 'run' && message.event.type === 'start') starts.set(message.runId, message.event);
  });
});

after(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

test('in one queue, "#0" warm-starts a VGG-19 from the VGG-11 queued before it; its start event lists copied and fresh layers', async () => {
  const { runs } = await service.call('runs.startQueue', {
    runs: [{ config: { ...tiny, model: 'vgg11' } }, { config: { ...tiny, model: 'vgg19', initFrom: '#0' } }],
  });
  const [source, warm] = runs;
  assert.equal(warm!.config.initFrom, source!.id, 'the reference is recorded as the run’s id');
  await service.idle();
  const start = starts.get(warm!.id);
  assert.ok(start?.warmStart, 'the start event says where the weights came from');
  assert.equal(start.warmStart.fromRun, source!.id);
  assert.deepEqual(start.warmStart.copied.slice(0, 3), ['block1_conv1', 'block2_conv1', 'block3_conv1']);
  assert.ok(start.warmStart.fresh.includes('block5_conv4'));
  const { run } = await service.call('runs.get', { runId: warm!.id });
  assert.equal(run.status, 'completed');
  assert.match(run.notes, new RegExp(`Initialised from run ${source!.id} \\(epoch 0\\): copied block1_conv1, block2_conv1, `));
  assert.equal(starts.get(source!.id)?.warmStart, undefined, 'a cold start says nothing of the kind');
});

test('a warm start from a later run of the queue, or from a run with no checkpoint, is refused before any run exists', async () => {
  const before = (await service.call('runs.list', {})).runs.length;
  await assert.rejects(
    service.call('runs.startQueue', { runs: [{ config: { ...tiny, model: 'vgg11', initFrom: '#1' } }, { config: { ...tiny, model: 'vgg11' } }] }),
    (error: unknown) => error instanceof ApiError && error.field === 'runs.0.config.initFrom',
  );
  await assert.rejects(
    service.call('runs.start', { config: { ...tiny, model: 'vgg11', initFrom: 'no-such-run' } }),
    (error: unknown) => error instanceof ApiError && /no run no-such-run/.test(error.message),
  );
  assert.equal((await service.call('runs.list', {})).runs.length, before);
});
