import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { RunRecorder } from '../../src-main/core/store/run-recorder';
import { exportRuns, importRuns } from '../../src-main/core/store/export-import';
import { RunApplier } from '../../src-main/queue/run-applier';
import { smallConfig, syntheticRun, tempDir } from '../core/store/store-fixtures';

test("a queued run's record names the worker's machine; a local run's names this one; both survive export and import", async () => {
  const { dir, cleanup } = tempDir('run-host-');
  const store = RunStore.open(join(dir, 'hub.sqlite'));
  try {
    const events = syntheticRun();
    const queued = store.createRun(smallConfig());
    const applier = new RunApplier(store, queued, async () => undefined, (error) => assert.fail(String(error)));
    for (const [i, event] of events.entries()) {
      const host = i === 0 ? { os: 'Linux 6.1 x64', cpu: 'EPYC (32 threads)', gpu: 'H100', name: 'gpu-box' } : undefined;
      await applier.apply({ type: 'event', attempt: 1, worker: 'w1', event, ...(host ? { host } : {}) });
    }
    applier.flush();
    applier.close();
    assert.equal(store.requireRun(queued).host?.name, 'gpu-box');
    assert.equal(store.requireRun(queued).host?.gpu, 'H100');

    const local = store.createRun(smallConfig());
    const recorder = new RunRecorder(store, local);
    for (const event of events) recorder.record(event);
    recorder.close();
    assert.equal(store.requireRun(local).host?.name, hostname());

    const other = RunStore.open(join(dir, 'other.sqlite'));
    try {
      const text = JSON.stringify(exportRuns(store, [queued]));
      importRuns(other, text);
      assert.deepEqual(other.listRuns().map((run) => run.host?.name), ['gpu-box']);
    } finally {
      other.close();
    }
  } finally {
    store.close();
    cleanup();
  }
});
