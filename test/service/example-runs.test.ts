import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { defaultExampleRunsFile, ExampleRuns } from '../../src-main/service/example-runs';
import { EXAMPLE_RUN_TAG } from '../../src-main/shared/runs/example-runs';
import { tempDir, smallConfig } from '../core/store/store-fixtures';

const { dir, cleanup } = tempDir('example-runs-');
after(cleanup);

test('the shipped set: complete runs on all of Fashion-MNIST, with their host and engine, no checkpoints and no local paths', () => {
  const file = defaultExampleRunsFile();
  assert.ok(file, 'resources/examples/example-runs.json.gz ships with the repository');
  const store = RunStore.open(join(dir, 'shipped.sqlite'));
  try {
    const examples = new ExampleRuns(store, file);
    assert.deepEqual(examples.state().present, []);
    examples.open();
    const runs = store.listRuns();
    assert.deepEqual(runs.map((r) => r.model).sort(), ['alexnet', 'lenet', 'lenet5', 'vgg11']);
    for (const run of runs) {
      assert.equal(run.status, 'completed', run.name);
      assert.equal(run.epochsCompleted, run.config.epochs, run.name);
      assert.equal(run.config.trainLimit, 60000, run.name);
      assert.equal(run.config.testLimit, 10000, run.name);
      assert.equal('dataDir' in run.config, false, 'no path of the machine that trained it');
      assert.ok(run.engine && run.host, `${run.name} says where and on what it trained`);
      assert.ok(run.tags.includes(EXAMPLE_RUN_TAG));
      assert.match(run.notes, /Example run/);
      assert.deepEqual(store.checkpoints(run.id), []);
      assert.ok(store.getConfusion(run.id), 'Results has its confusion matrix');
      assert.ok((run.summary['epoch.test_acc']?.last.value ?? 0) > 0.7, `${run.name} trained`);
    }
  } finally {
    store.close();
  }
});

test('open imports what is missing; remove deletes only the example runs, never a run of the user', () => {
  const store = RunStore.open(join(dir, 'mine.sqlite'));
  try {
    const examples = new ExampleRuns(store, defaultExampleRunsFile());
    const mine = store.createRun(smallConfig());
    const opened = examples.open();
    assert.equal(opened.length, 4);
    assert.equal(examples.open().length, 0, 'a second open imports nothing twice');
    const state = examples.state();
    assert.equal(state.available, true);
    assert.deepEqual([...state.present].sort(), [...state.shipped].sort());

    // An example the user untagged became theirs: it stays.
    const kept = state.present[0]!;
    store.untagRun(kept, EXAMPLE_RUN_TAG);
    const removed = examples.remove();
    assert.equal(removed.length, 3);
    assert.deepEqual(store.listRuns().map((r) => r.id).sort(), [kept, mine].sort());
    assert.deepEqual(examples.state().present, []);
  } finally {
    store.close();
  }
});

test('without the shipped file nothing is offered, and opening says why', () => {
  const store = RunStore.open(join(dir, 'none.sqlite'));
  try {
    const examples = new ExampleRuns(store, undefined);
    assert.deepEqual(examples.state(), { available: false, shipped: [], present: [] });
    assert.throws(() => examples.open(), /ships no example runs/);
  } finally {
    store.close();
  }
});
