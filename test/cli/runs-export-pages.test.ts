import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerRunsCommands } from '../../src-main/cli/runs-command';
import { RunStore } from '../../src-main/core/store/run-store';
import { EXPORT_PAGE_POINTS } from '../../src-main/shared/runs/run-limits';
import { smallConfig, tempDir } from '../core/store/store-fixtures';

test('runs export names each run once and writes the file page by page, whole', async (t) => {
  const { dir, cleanup } = tempDir('cli-export-pages-');
  t.after(cleanup);
  const db = join(dir, 'runs.sqlite');
  const store = RunStore.open(db);
  const id = store.createRun(smallConfig());
  // More than one page's worth.
  const points = EXPORT_PAGE_POINTS + 123;
  store.appendMetrics(id, Array.from({ length: points }, (_, step) => ({ key: 'batch.loss', step, epoch: 0, batch: step, value: 1 / (step + 1), wallTime: step })));
  store.close();
  let out = '';
  const program = new Command('vgg-workbench').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: () => {} });
  registerRunsCommands(program, () => db, (s) => (out += s));

  const file = join(dir, 'export.json');
  await program.parseAsync(['runs', 'export', id, id, id.slice(0, 4), '--out', file, '--db', db], { from: 'user' });
  const text = readFileSync(file, 'utf8');
  const parsed = JSON.parse(text) as { runs: { id: string; metrics: unknown[]; config: Record<string, unknown> }[] };
  assert.deepEqual(parsed.runs.map((run) => run.id), [id]);
  assert.equal(parsed.runs[0]!.metrics.length, points);
  assert.equal('dataDir' in parsed.runs[0]!.config, false, 'no folder of this machine');
  assert.ok(!text.includes(dir));

  const nowhere = join(dir, 'no', 'such', 'folder', 'x.json');
  await assert.rejects(program.parseAsync(['runs', 'export', id, '--out', nowhere, '--db', db], { from: 'user' }), /cannot write .*x\.json: no such file/);
  assert.equal(existsSync(nowhere), false);
});
