import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ApiRequest } from '../../../src-main/api/methods';
import type { RunRecord } from '../../../src-main/shared/runs/run-entities';
import { describeError, type ShownError } from '../lib/describe-error';
import { serialReload } from '../lib/serial-reload';
import { saveBlob, saveUrl } from '../lib/save-file';
import { useApiStore } from './api-store';

/** Reloads after bursts of changes (an epoch of each run in a queue) at most this often. */
const RELOAD_DELAY_MS = 250;

/**
 * Every recorded run, newest first, kept fresh from the `runs` topic (created,
 * updated, deleted) and from run events that change a run's record (start,
 * epoch, done, error).
 */
export const useRunsStore = defineStore('runs', () => {
  const api = useApiStore();
  const runs = shallowRef<RunRecord[]>([]);
  const loaded = ref(false);
  const error = ref<ShownError | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  // One list request at a time: an older reply never lands over a newer one.
  const load = serialReload(async () => {
    try {
      runs.value = (await api.call('runs.list', {})).runs;
      error.value = null;
    } catch (caught) {
      error.value = describeError(caught);
    } finally {
      loaded.value = true;
    }
  });

  function scheduleLoad(): void {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void load();
    }, RELOAD_DELAY_MS);
  }

  api.on('runs', scheduleLoad);
  api.on('run', (event) => {
    if (event.event.type !== 'batch') scheduleLoad();
  });
  api.onResync(scheduleLoad);

  const byId = computed(() => new Map(runs.value.map((run) => [run.id, run])));
  function run(id: string | null): RunRecord | undefined {
    return id === null ? undefined : byId.value.get(id);
  }

  /** Replaces one record at once (an action's reply), before the reload confirms it. */
  function put(record: RunRecord): void {
    runs.value = runs.value.map((r) => (r.id === record.id ? record : r));
  }

  /** Records just created here (a start's reply), shown at once rather than after the next reload. */
  function add(records: readonly RunRecord[]): void {
    const fresh = records.filter((record) => !byId.value.has(record.id));
    runs.value = [...fresh, ...runs.value];
  }

  async function rename(runId: string, name: string): Promise<void> {
    put((await api.call('runs.rename', { runId, name })).run);
  }

  async function addTag(runIds: readonly string[], tag: string): Promise<void> {
    for (const runId of runIds) put((await api.call('runs.tag', { runId, add: [tag] })).run);
  }

  async function removeTag(runId: string, tag: string): Promise<void> {
    put((await api.call('runs.tag', { runId, remove: [tag] })).run);
  }

  /**
   * Continues a stopped run in place (longer, or on another engine): its
   * record, queued again, replaces the old one at once. `notice`: it resumes
   * from an older checkpoint than its newest, and why.
   */
  async function resume(request: ApiRequest<'runs.resume'>): Promise<{ run: RunRecord; notice?: string }> {
    const { run, notice } = await api.call('runs.resume', request);
    put(run);
    return { run, ...(notice ? { notice } : {}) };
  }

  async function remove(runIds: readonly string[]): Promise<void> {
    for (const runId of runIds) await api.call('runs.delete', { runId });
    runs.value = runs.value.filter((r) => !runIds.includes(r.id));
  }

  /**
   * Asks the service for the file a page at a time (each a short request, so a
   * big export never holds the service). One page is saved as it is; a longer
   * export streams from the server straight to the downloads in browser mode,
   * and over IPC its pages are appended into one Blob, which the browser may
   * keep on disk rather than in memory. The first page, asked for either way,
   * lets a refusal (an unknown run, too many points) show here rather than as
   * a failed download.
   */
  async function exportRuns(runIds: string[], format: 'json' | 'csv'): Promise<string> {
    const first = await api.call('runs.export', { runIds, format });
    const streamed = first.next !== undefined ? api.exportDownloadUrl({ runIds, format }) : undefined;
    if (streamed !== undefined) {
      saveUrl(first.fileName, streamed);
      return first.fileName;
    }
    const parts = [first.content];
    for (let cursor = first.next; cursor !== undefined; ) {
      const page = await api.call('runs.export', { runIds, format, cursor });
      parts.push(page.content);
      cursor = page.next;
    }
    saveBlob(first.fileName, new Blob(parts, { type: first.mimeType }));
    return first.fileName;
  }

  /** Imports an export file; `notice` says what came without weights (evaluate and resume need a checkpoint). */
  async function importFile(file: File): Promise<{ count: number; notice?: string }> {
    const { runs: imported, notice } = await api.call('runs.import', { content: await file.text() });
    await load();
    return { count: imported.length, ...(notice ? { notice } : {}) };
  }

  return { runs, loaded, error, load, run, add, rename, addTag, removeTag, resume, remove, exportRuns, importFile };
});
