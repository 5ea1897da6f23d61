/**
 * Builds the shipped example set (resources/examples/example-runs.json.gz)
 * from runs recorded by `vgg-workbench train --checkpoints none`:
 *   npx tsx scripts/build-example-runs.ts --db runs.sqlite [--baseline] ID [[--baseline] ID]... [--tag ID TAG]...
 * (in the order Compare should list them; `--baseline` marks the id after it as a baseline run;
 * `--tag ID TAG` adds a tag, as `plan:vgg-vs-baselines` to the three runs of plan 1's quick budget,
 * so the Plans view answers that plan from the examples alone)
 * Each run keeps its recorded metrics, host and engine; the script adds the
 * `example` tag and a note saying where and how it trained, drops the local
 * data folder from its config, and refuses a run that did not complete.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { exportRuns, parseRunExport } from '../src-main/core/store/export-import';
import { RunStore } from '../src-main/core/store/run-store';
import { EXAMPLE_RUN_TAG } from '../src-main/shared/runs/example-runs';
import { EXAMPLE_RUNS_PATH } from '../src-main/service/example-runs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv: string[]): { db: string; ids: string[]; baselines: Set<string>; tags: [string, string][] } {
  let db: string | undefined;
  const ids: string[] = [];
  const baselines = new Set<string>();
  const tags: [string, string][] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--db') db = argv[++i];
    else if (arg === '--baseline') {
      const id = argv[++i];
      if (id === undefined) throw new Error('--baseline needs a run id after it');
      ids.push(id);
      baselines.add(id);
    } else if (arg === '--tag') {
      const [id, tag] = [argv[++i], argv[++i]];
      if (id === undefined || tag === undefined) throw new Error('--tag needs a run id and a tag after it');
      tags.push([id, tag]);
    } else ids.push(arg);
  }
  if (!db || ids.length === 0) throw new Error('usage: build-example-runs.ts --db FILE [--baseline] ID [[--baseline] ID]...');
  return { db, ids, baselines, tags };
}

const { db, ids, baselines, tags } = parseArgs(process.argv.slice(2));
const store = RunStore.open(db);
try {
  const file = exportRuns(store, ids.map((id) => store.resolveRunId(id)));
  for (const run of file.runs) {
    if (run.status !== 'completed') throw new Error(`run ${run.id} is ${run.status}: ship only runs trained to the end`);
    const added = tags.filter(([id]) => run.id.startsWith(id)).map(([, tag]) => tag);
    run.tags = [...new Set([...run.tags, EXAMPLE_RUN_TAG, ...added])].sort();
    run.baseline = baselines.has(run.id) || [...baselines].some((id) => run.id.startsWith(id));
    const engine = run.engine ? `${run.engine.id} engine (${run.engine.detail})` : 'an unrecorded engine';
    const where = run.host ? `${run.host.cpu ?? 'an unnamed CPU'}, ${run.host.os}` : 'an unrecorded machine';
    const day = new Date(run.createdAt).toISOString().slice(0, 10);
    const c = run.config;
    run.notes = [
      `Example run shipped with VGG Workbench: recorded by \`vgg-workbench train\` on ${day}, on ${where}, with the ${engine}.`,
      `The machine's 2 cores were shared with other jobs, so its seconds per epoch are slower than the same machine alone.`,
      `All ${c.trainLimit ?? 60000} training and ${c.testLimit ?? 10000} test images, ${c.epochs} epochs trained to the end: batch ${c.batchSize}, lr ${c.lr}, momentum ${c.momentum}, seed ${c.seed}, ${c.resize} px.`,
      'Shipped without checkpoints: Compare, Replay and the confusion matrix work; evaluating, resuming and the misclassified images need weights (train it again).',
    ].join(' ');
  }
  const text = JSON.stringify(file);
  // The file must import as the app will read it.
  parseRunExport(text);
  const out = join(root, EXAMPLE_RUNS_PATH);
  mkdirSync(dirname(out), { recursive: true });
  const packed = gzipSync(text, { level: 9 });
  writeFileSync(out, packed);
  process.stdout.write(`Wrote ${file.runs.length} runs to ${out} (${(packed.length / 1e6).toFixed(2)} MB, ${(text.length / 1e6).toFixed(1)} MB unpacked)\n`);
} finally {
  store.close();
}
