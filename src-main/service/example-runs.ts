import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { importRuns, parseRunExport, type ImportedRun, type RunExport } from '../core/store/export-import';
import type { RunStore } from '../core/store/run-store';
import { EXAMPLE_RUN_TAG } from '../shared/runs/example-runs';

/** Where the shipped set lives, relative to the repository (or the packaged app's) root. */
export const EXAMPLE_RUNS_PATH = join('resources', 'examples', 'example-runs.json.gz');

/** The shipped file is a few MB unpacked; anything far larger is not ours. */
const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

/**
 * The example set next to this module's root: `src-main/service/` from source,
 * `out/main/` (or a chunk folder under it) in a build. Walks up a few folders,
 * so it holds whichever way the service was bundled.
 */
export function defaultExampleRunsFile(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = dirname(from);
  for (let i = 0; i < 5; i += 1) {
    const candidate = join(dir, EXAMPLE_RUNS_PATH);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export interface ExampleRunsState {
  /** Whether this installation ships the example set. */
  available: boolean;
  /** Ids of the shipped runs. */
  shipped: string[];
  /** Ids of the shipped runs this database holds now. */
  present: string[];
}

/**
 * The chapter's runs, recorded by this workbench and shipped as a run export
 * (resources/examples): a new database can open them with no training, and
 * drop them again. Only runs with a shipped id *and* the example tag are
 * ever removed, so a user's own run is never touched.
 */
export class ExampleRuns {
  private parsed: RunExport | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly file: string | undefined,
  ) {}

  private load(): RunExport | undefined {
    if (this.file === undefined || !existsSync(this.file)) return undefined;
    if (!this.parsed) {
      const packed = readFileSync(this.file);
      const text = this.file.endsWith('.gz') ? gunzipSync(packed, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8') : packed.toString('utf8');
      this.parsed = parseRunExport(text);
    }
    return this.parsed;
  }

  private presentIds(file: RunExport | undefined): string[] {
    if (!file) return [];
    return file.runs
      .filter((run) => this.store.getRun(run.id)?.tags.includes(EXAMPLE_RUN_TAG) === true)
      .map((run) => run.id);
  }

  state(): ExampleRunsState {
    const file = this.load();
    return { available: file !== undefined, shipped: file?.runs.map((run) => run.id) ?? [], present: this.presentIds(file) };
  }

  /** Imports the shipped runs this database lacks (all of them, or none on an error). */
  open(): ImportedRun[] {
    const file = this.load();
    if (!file) throw new Error('this installation ships no example runs (resources/examples is missing)');
    const missing = file.runs.filter((run) => this.store.getRun(run.id) === undefined);
    if (missing.length === 0) return [];
    return importRuns(this.store, JSON.stringify({ ...file, runs: missing }));
  }

  /** Deletes the example runs this database holds; returns their ids. */
  remove(): string[] {
    const ids = this.presentIds(this.load());
    this.store.transaction(() => {
      for (const id of ids) this.store.deleteRun(id);
    });
    return ids;
  }
}
