import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src-main/api/api-error';
import type { StartEvent } from '../../src-main/shared/train/events';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';

test('deleting or resuming a run another live process is training is a 409 conflict, not a 500', async (t) => {
  const { dir, cleanup } = tempDir('busy-elsewhere-');
  const service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, probeEngines: async () => [] });
  t.after(async () => {
    await service.close();
    cleanup();
  });
  // Recorded as running by a process that is alive (this one), but not in this service's queue:
  // as a CLI `train` on the same database looks to the app.
  const id = service.store.createRun(smallConfig());
  service.store.markStarted(id, syntheticRun()[0] as StartEvent, { os: 'x', cpu: null, gpu: null }, {
    pid: process.pid,
    hostname: hostname(),
  });

  for (const [method, request] of [
    ['runs.delete', { runId: id }],
    ['runs.resume', { runId: id }],
  ] as const) {
    const envelope = await service.dispatch(method, request);
    assert.equal(envelope.ok, false, method);
    if (envelope.ok) continue;
    assert.equal(envelope.error.code, 'conflict', `${method}: ${envelope.error.message}`);
    assert.match(envelope.error.message, new RegExp(`run ${id} is (still )?running`), method);
  }
  await assert.rejects(service.call('runs.delete', { runId: id }), (error: unknown) => error instanceof ApiError && error.code === 'conflict');
  assert.equal(service.store.requireRun(id).status, 'running', 'the run is untouched');
});
