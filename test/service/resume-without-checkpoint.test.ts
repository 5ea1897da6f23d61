import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';

test('resume of a run killed while writing its first checkpoint says it recorded an epoch, not that it finished none', async (t) => {
  const { dir, cleanup } = tempDir('resume-no-ckpt-');
  const service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, probeEngines: async () => [] });
  t.after(async () => {
    await service.close();
    cleanup();
  });
  const config = smallConfig({ epochs: 3 });
  const id = service.store.createRun(config);
  const recorder = new RunRecorder(service.store, id);
  // One epoch recorded, then the process died before its checkpoint file was complete (so none is recorded).
  for (const event of syntheticRun({ epochs: 1, stepsPerEpoch: 2, config, end: 'failed' })) recorder.record(event);
  await assert.rejects(service.call('runs.resume', { runId: id }), (error: Error) => {
    assert.match(error.message, /has no checkpoint to resume from: it recorded 1 epoch\(s\), but no checkpoint of them was finished/);
    assert.ok(!/finished no epoch/.test(error.message));
    return true;
  });
  const fresh = service.store.createRun(config);
  new RunRecorder(service.store, fresh).record({ type: 'error', time: Date.now(), message: 'out of memory' });
  await assert.rejects(service.call('runs.resume', { runId: fresh }), /it finished no epoch/);
});
