import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { join } from 'node:path';
import { registerRunsCommands } from '../../src-main/cli/runs-command';
import { RunStore } from '../../src-main/core/store/run-store';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { TAG_MAX_LENGTH, TAGS_PER_RUN_MAX } from '../../src-main/shared/runs/run-limits';
import { smallConfig, tempDir } from '../core/store/store-fixtures';

const tags = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('runs.tag: a 4,000-tag request is refused at once, a change past the per-run cap is refused whole', async (t) => {
  const { dir, cleanup } = tempDir('tag-limits-');
  const service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, probeEngines: async () => [] });
  t.after(async () => {
    await service.close();
    cleanup();
  });
  const runId = service.store.createRun(smallConfig(), { tags: tags(TAGS_PER_RUN_MAX - 1) });

  const started = performance.now();
  const huge = await service.dispatch('runs.tag', { runId, add: tags(4000, 'new') });
  const ms = performance.now() - started;
  assert.ok(!huge.ok && huge.error.code === 'invalid-request' && huge.error.field === 'add', JSON.stringify(huge));
  assert.ok(ms < 1000, `refused in ${ms.toFixed(0)} ms (before: 27 s)`);

  const over = await service.dispatch('runs.tag', { runId, add: ['one', 'two'] });
  assert.ok(!over.ok);
  assert.equal(over.error.code, 'invalid-request');
  assert.match(over.error.message, new RegExp(`at most ${TAGS_PER_RUN_MAX} tags`));
  assert.equal(service.store.requireRun(runId).tags.length, TAGS_PER_RUN_MAX - 1, 'nothing changed');

  const long = await service.dispatch('runs.tag', { runId, add: ['x'.repeat(TAG_MAX_LENGTH + 1)] });
  assert.ok(!long.ok && long.error.code === 'invalid-request', JSON.stringify(long));
  const swapped = await service.call('runs.tag', { runId, add: ['fits'], remove: ['t0'] });
  assert.equal(swapped.run.tags.length, TAGS_PER_RUN_MAX - 1);
});

test('the CLI runs tag takes no longer tag than the API, so every export imports again', async (t) => {
  const { dir, cleanup } = tempDir('cli-tag-limits-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const store = RunStore.open(db);
  const runId = store.createRun(smallConfig());
  store.close();
  let out = '';
  const program = new Command('vgg-workbench').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: () => {} });
  registerRunsCommands(program, () => db, (s) => (out += s));
  await assert.rejects(program.parseAsync(['runs', 'tag', runId, 'x'.repeat(TAG_MAX_LENGTH + 1), '--db', db], { from: 'user' }), /a tag holds at most 100 characters/);
  await program.parseAsync(['runs', 'tag', runId, 'x'.repeat(TAG_MAX_LENGTH), '--db', db], { from: 'user' });
  assert.match(out, new RegExp(`${runId}: x{${TAG_MAX_LENGTH}}`));
});
