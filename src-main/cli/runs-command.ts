import { Command, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { defaultDatabasePath } from '../core/paths';
import { exportPages, importRuns, uniqueIds, WITHOUT_WEIGHTS_NOTICE } from '../core/store/export-import';
import { fileError } from '../core/store/file-errors';
import { RUN_STATUSES, type MetricSummary, type RunRecord, type RunStatus } from '../shared/runs/run-entities';
import { epochsRecorded } from '../shared/runs/run-figures';
import { BrokenRunError, RunBusyError, RunStore, type BrokenRun, type RunStoreOptions } from '../core/store/run-store';
import { currentLivenessContext, liveQueueOwner } from '../core/store/owner-liveness';
import { isDiskFullError } from '../core/store/database';
import { positiveInt } from './option-parsers';
import { UsageError } from './usage-error';
import { userPath } from './user-path';
import { alignColumns } from './text-table';
import { terminalSafe, terminalSafeJson } from './terminal-safe';
import { databaseFiles, refuseOverwrite, type ProtectedFile } from './output-guard';
import { writeFileAtomically } from './atomic-file';

/**
 * `vgg-workbench runs …`: list, show, export, import, delete and tag recorded
 * runs. Failures throw: main.ts prints them and exits 1, or 2 for a
 * UsageError or a commander usage error. Run ids may be abbreviated to any
 * unique prefix, as git hashes can.
 */

/** The database used without --db (tests pass their own). */
export type DefaultDatabase = () => string;

/** The store at `--db`, or the app's shared database. */
export const openRunStore = (dbPath?: string): RunStore => RunStore.open(dbPath ?? defaultDatabasePath());

type Write = (text: string) => void;
const stdoutWrite: Write = (text) => {
  process.stdout.write(text);
};

interface DbFlags {
  db?: string;
}

/** Commands that only read or change what is there never create a database: they say it is missing. */
function requireDatabase(path: string): void {
  if (!existsSync(path)) throw new UsageError(`no run database at ${path} (nothing was created)`);
}

function withStore<T>(path: string, fn: (store: RunStore) => T, options: RunStoreOptions = {}): T {
  const store = RunStore.open(path, options);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/**
 * The API refuses to delete a run its queue holds (queue.isActive); this
 * process has no queue, so it asks the store who queued the run: a live
 * process here (the app, `serve`, another `train`) still means to train it.
 * A row that no longer reads stays deletable, as BrokenRunError promises.
 */
function refuseQueuedElsewhere(store: RunStore, id: string): void {
  let run: RunRecord | undefined;
  try {
    run = store.getRun(id);
  } catch (error) {
    if (error instanceof BrokenRunError) return;
    throw error;
  }
  const owner = run && liveQueueOwner(run, currentLivenessContext());
  if (owner) throw new RunBusyError(`run ${id} is queued by process ${owner.pid} on ${owner.hostname}: cancel it there first`);
}

/** The recorded checkpoints of the runs an export reads (older releases kept some outside the folder). */
function checkpointFiles(store: RunStore, ids: readonly string[]): ProtectedFile[] {
  return ids.flatMap((id) => store.checkpoints(id).map((c) => ({ path: c.path, what: `the checkpoint of epoch ${c.epoch} of run ${id}` })));
}

// ---- formatting for people ----------------------------------------------------

/** A header and rows as the CLI's plain-text table, text left-aligned. */
function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `${alignColumns([header, ...rows]).join('\n')}\n`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
/** Local time to the minute: what a person compares runs by. */
export function formatTime(ms: number | null): string {
  if (ms === null) return '-';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '-';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toFixed(digits);
}

/** 7_890_000 → "7.89 M": MACs span from thousands (LeNet) to billions (VGG-11 at 224). */
function formatCount(value: number | null): string {
  if (value === null) return '-';
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(value) >= size) return `${(value / size).toFixed(2)} ${unit}`;
  }
  return String(value);
}

function epochsCell(run: RunRecord): string {
  return `${epochsRecorded(run)}/${run.config.epochs}`;
}

function testAccCell(run: RunRecord): string {
  const summary = run.summary['epoch.test_acc'];
  if (!summary) return '-';
  const best = summary.best ? ` (best ${formatNumber(summary.best.value)})` : '';
  return `${formatNumber(summary.last.value)}${best}`;
}

function listTable(runs: readonly RunRecord[], broken: readonly BrokenRun[] = []): string {
  if (runs.length === 0 && broken.length === 0) return 'No runs recorded yet.\n';
  const brokenRows = broken.map((run) => [run.id, run.name, 'broken', '-', '-', '-', formatTime(run.createdAt), '']);
  const hint = broken.length === 0
    ? ''
    : `\n${broken.map((run) => `broken: run ${run.id} cannot be read (${run.reason}); \`runs delete ${run.id}\` removes it`).map((line) => terminalSafe(line, { oneLine: true })).join('\n')}\n`;
  return formatTable(
    ['ID', 'NAME', 'STATUS', 'MODEL', 'EPOCHS', 'TEST ACC', 'CREATED', 'TAGS'],
    [...brokenRows, ...runs.map((run) => [
      run.id,
      run.name,
      run.baseline ? `${run.status} *` : run.status,
      run.model,
      epochsCell(run),
      testAccCell(run),
      formatTime(run.createdAt),
      run.tags.join(', '),
    ])],
  ) + hint;
}

function summaryTable(summaries: Record<string, MetricSummary>): string {
  const rows = Object.values(summaries).map((s) => [
    s.key,
    formatNumber(s.last.value),
    String(s.last.step),
    s.best ? formatNumber(s.best.value) : '-',
    s.best ? String(s.best.step) : '-',
    String(s.count),
  ]);
  return formatTable(['KEY', 'LAST', 'AT STEP', 'BEST', 'AT STEP', 'POINTS'], rows);
}

function showText(store: RunStore, run: RunRecord): string {
  const { config } = run;
  const fields: [string, string][] = [
    ['status', run.status + (run.baseline ? ' (baseline)' : '')],
    ['created', formatTime(run.createdAt)],
    ['started', formatTime(run.startedAt)],
    ['finished', formatTime(run.finishedAt)],
  ];
  if (run.durationSeconds !== null) fields.push(['duration', `${run.durationSeconds.toFixed(1)} s`]);
  fields.push(
    ['model', `${run.model}, input ${config.resize}×${config.resize}, width ratio ${config.widthRatio}`],
    ['params', `${formatNumber(run.params)} (MACs ${formatCount(run.macs)})`],
    [
      'training',
      `epochs ${config.epochs}, batch ${config.batchSize}, lr ${config.lr}, momentum ${config.momentum}, seed ${config.seed}`,
    ],
    [
      'data',
      `${run.dataset}, train limit ${config.trainLimit ?? 'none'}, test limit ${config.testLimit ?? 'none'}`,
    ],
    [
      'engine',
      run.engine
        ? `${run.engine.id} (${run.engine.backend} ${run.engine.version})${run.engine.detail ? `: ${run.engine.detail}` : ''}`
        : `${config.engine} (not started)`,
    ],
    ['host', run.host ? [run.host.os, run.host.cpu, run.host.gpu].filter(Boolean).join(' / ') : '-'],
    ['config hash', run.configHash],
    // One line: a tag holding a newline would otherwise print as a field of its own.
    ['tags', run.tags.map((tag) => terminalSafe(tag, { oneLine: true })).join(', ') || '-'],
  );
  if (run.notes) fields.push(['notes', run.notes.replace(/\n/g, '\n' + ' '.repeat(15))]);
  if (run.error) fields.push(['error', run.error]);
  let text = `Run ${run.id}  ${terminalSafe(run.name, { oneLine: true })}\n`;
  text += fields.map(([k, v]) => `  ${k.padEnd(12)} ${terminalSafe(v)}`).join('\n') + '\n';
  if (Object.keys(run.summary).length > 0) text += `\nMetrics\n${summaryTable(run.summary)}`;
  const checkpoints = store.checkpoints(run.id);
  if (checkpoints.length > 0) {
    text += `\nCheckpoints\n${formatTable(
      ['EPOCH', 'BYTES', 'SHA256', 'PATH'],
      checkpoints.map((c) => [String(c.epoch), formatNumber(c.bytes), c.sha256.slice(0, 12), c.path]),
    )}`;
  }
  const confusion = store.getConfusion(run.id);
  if (confusion) {
    text += `\nConfusion matrix (rows: true class, columns: predicted)\n${formatTable(
      ['', ...confusion.map((_, j) => String(j))],
      confusion.map((row, i) => [String(i), ...row.map(String)]),
    )}`;
  }
  return text;
}

// ---- commands -------------------------------------------------------------------

const dbOption = () =>
  new Option('--db <file>', `run database (default: ${defaultDatabasePath()})`).argParser(userPath);

interface ListFlags extends DbFlags {
  json?: boolean;
  status?: RunStatus;
  tag?: string;
  limit?: number;
}

export function registerRunsCommands(
  program: Command,
  defaultDb: DefaultDatabase = defaultDatabasePath,
  write: Write = stdoutWrite,
): Command {
  const dbPath = (flags: DbFlags): string => flags.db ?? defaultDb();
  const runs = program
    .command('runs')
    .description('List, show, export, import, delete and tag recorded runs.');

  runs
    .command('list')
    .description('Recorded runs, newest first (* marks a baseline run).')
    .addOption(dbOption())
    .option('--json', 'print JSON')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(RUN_STATUSES))
    .option('--tag <tag>', 'only runs with this tag')
    .option('--limit <n>', 'at most this many runs', positiveInt)
    .action((flags: ListFlags) => {
      const path = dbPath(flags);
      if (!existsSync(path)) {
        // A read-only look creates nothing: no file, no folder.
        const where = terminalSafe(path, { oneLine: true });
        // A --db named by hand that is not there is likely mistyped: JSON keeps its shape, stderr says so.
        if (flags.json && flags.db !== undefined) process.stderr.write(`warning: no run database at ${where} (the file does not exist; nothing was created); check --db\n`);
        write(flags.json ? '[]\n' : `No runs recorded yet (no database at ${where}).\n`);
        return;
      }
      withStore(path, (store) => {
        const { runs: list, broken } = store.listRunsAndBroken({ status: flags.status, tag: flags.tag, limit: flags.limit });
        if (flags.json) {
          // The array keeps its shape (runs only); unreadable rows are said on stderr.
          for (const run of broken) process.stderr.write(`warning: ${terminalSafe(new BrokenRunError(run.id, run.reason).message)}\n`);
          write(`${terminalSafeJson(JSON.stringify(list, null, 2))}\n`);
        } else {
          write(listTable(list, broken));
        }
      });
    });

  runs
    .command('show')
    .description('Everything recorded about one run.')
    .argument('<id>', 'run id or a unique prefix of it')
    .addOption(dbOption())
    .option('--json', 'print JSON')
    .action((idArg: string, flags: DbFlags & { json?: boolean }) => {
      requireDatabase(dbPath(flags));
      return withStore(dbPath(flags), (store) => {
        const run = store.requireRun(store.resolveRunId(idArg));
        if (flags.json) {
          const full = { ...run, checkpoints: store.checkpoints(run.id), confusion: store.getConfusion(run.id) };
          write(`${terminalSafeJson(JSON.stringify(full, null, 2))}\n`);
        } else {
          write(showText(store, run));
        }
      });
    });

  runs
    .command('export')
    .description('Runs as JSON (everything, for import elsewhere) or their metrics as CSV.')
    .argument('<id...>', 'run ids or unique prefixes')
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'json or csv').choices(['json', 'csv']).default('json'))
    .addOption(new Option('--out <file>', 'write to this file instead of standard output').argParser(userPath))
    .action((idArgs: string[], flags: DbFlags & { format: 'json' | 'csv'; out?: string }) => {
      requireDatabase(dbPath(flags));
      return withStore(dbPath(flags), (store) => {
        const ids = uniqueIds(idArgs.map((id) => store.resolveRunId(id)));
        // Page by page, as the API does: the whole file is never one string.
        if (flags.out === undefined) {
          // Pages break between JSON values and CSV rows, never inside a string: each is escaped alone.
          for (const page of exportPages(store, ids, flags.format)) write(flags.format === 'csv' ? terminalSafe(page) : terminalSafeJson(page));
          return;
        }
        const out = flags.out;
        refuseOverwrite('--out', out, [...databaseFiles(store.path), ...checkpointFiles(store, ids)], [
          { path: store.checkpointFolder.root, what: 'the checkpoint folder' },
        ]);
        const pages = exportPages(store, ids, flags.format);
        // The first page checks the runs and the total: a refused export leaves no file behind.
        const first = pages.next();
        // Temp file, then rename: a failed export leaves no half file, and an old file whole.
        writeFileAtomically(out, (append) => {
          if (!first.done) append(first.value);
          for (const page of pages) append(page);
        });
        write(`Wrote ${ids.length} run(s) as ${flags.format.toUpperCase()} to ${flags.out}\n`);
      });
    });

  runs
    .command('import')
    .description('Import runs from a JSON export: all of them or, on any error, none.')
    .argument('<file>', 'a file written by `runs export`', userPath)
    .addOption(dbOption())
    .action((file: string, flags: DbFlags) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw fileError('read', file, error);
      }
      withStore(dbPath(flags), (store) => {
        const runs = importRuns(store, text);
        for (const run of runs) {
          write(`Imported ${run.id}  ${terminalSafe(run.name, { oneLine: true })}${run.withoutWeights ? ` (${WITHOUT_WEIGHTS_NOTICE})` : ''}\n`);
        }
      });
    });

  runs
    .command('delete')
    .description('Delete a run with its metrics, checkpoints (files too) and results.')
    .argument('<id>', 'run id or a unique prefix of it')
    .addOption(dbOption())
    .action((idArg: string, flags: DbFlags) => {
      requireDatabase(dbPath(flags));
      const deleteIn = (store: RunStore): void => {
        const id = store.resolveRunId(idArg);
        refuseQueuedElsewhere(store, id);
        const { deletedFiles } = store.deleteRun(id);
        write(`Deleted run ${id}${deletedFiles.length ? ` and ${deletedFiles.length} checkpoint file(s)` : ''}\n`);
      };
      try {
        withStore(dbPath(flags), deleteIn);
      } catch (error) {
        // Deleting is how a full disk gets space back: retry in the mode that needs none (database.ts).
        if (!isDiskFullError(error)) throw error;
        withStore(dbPath(flags), deleteIn, { lowSpace: true });
      }
    });

  runs
    .command('tag')
    .description('Add a tag to a run (or remove it with --remove).')
    .argument('<id>', 'run id or a unique prefix of it')
    .argument('<tag>', 'the tag')
    .addOption(dbOption())
    .option('--remove', 'remove the tag instead')
    .action((idArg: string, tag: string, flags: DbFlags & { remove?: boolean }) => {
      requireDatabase(dbPath(flags));
      return withStore(dbPath(flags), (store) => {
        if (tag.trim() === '') throw new UsageError('a tag cannot be empty');
        const id = store.resolveRunId(idArg);
        if (flags.remove) store.untagRun(id, tag);
        else store.tagRun(id, tag);
        write(`${id}: ${terminalSafe(store.requireRun(id).tags.join(', '), { oneLine: true }) || '(no tags)'}\n`);
      });
    });

  return runs;
}
