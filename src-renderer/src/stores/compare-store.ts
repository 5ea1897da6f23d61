import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { MetricPoint } from '../../../src-main/shared/runs/run-entities';
import { COMPARE_KEYS, type XAxisMode } from '../lib/compare-series';
import { serialReload } from '../lib/serial-reload';
import { describeError, type ShownError } from '../lib/describe-error';
import { useApiStore } from './api-store';

/** A run in a comparison gets its points again at most this often while it trains. */
const RELOAD_DELAY_MS = 500;

/**
 * The Compare view's state: the chosen runs, how to draw them, and their
 * metric points (loaded once per run, reloaded while a run in it trains).
 */
export const useCompareStore = defineStore('compare', () => {
  const api = useApiStore();
  const selected = ref<string[]>([]);
  const axis = ref<XAxisMode>('epoch');
  /** EMA weight, 0 (raw) to 0.99. */
  const smoothing = ref(0);
  const logScale = ref(false);
  const points = shallowRef<ReadonlyMap<string, MetricPoint[]>>(new Map());
  const errors = ref<Record<string, ShownError>>({});
  const loaders = new Map<string, () => Promise<void>>();
  const loading = new Set<string>();
  const stale = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function fetchPoints(runId: string): Promise<void> {
    try {
      const result = await api.call('runs.metrics', { runId, keys: [...COMPARE_KEYS] });
      points.value = new Map(points.value).set(runId, result.points);
      const rest = { ...errors.value };
      delete rest[runId];
      errors.value = rest;
    } catch (error) {
      errors.value = { ...errors.value, [runId]: describeError(error) };
    }
  }

  /** One request per run at a time; an epoch recorded meanwhile is read by one more afterwards, not dropped. */
  function load(runId: string): Promise<void> {
    let reload = loaders.get(runId);
    if (!reload) loaders.set(runId, (reload = serialReload(() => fetchPoints(runId))));
    loading.add(runId);
    return reload().finally(() => loading.delete(runId));
  }

  /** Loads the points of runs not loaded yet. */
  function ensureLoaded(runIds: readonly string[]): void {
    for (const runId of runIds) if (!points.value.has(runId) && !loading.has(runId)) void load(runId);
  }

  function select(runIds: readonly string[]): void {
    selected.value = [...new Set(runIds)];
  }

  function reloadLater(runId: string): void {
    stale.add(runId);
    timer ??= setTimeout(() => {
      timer = undefined;
      for (const id of stale) void load(id);
      stale.clear();
    }, RELOAD_DELAY_MS);
  }

  // Points already loaded go stale when their run records more (epochs of a run still training).
  api.on('run', (event) => {
    if (event.event.type !== 'batch' && points.value.has(event.runId)) reloadLater(event.runId);
  });
  api.on('runs', (event) => {
    if (event.change === 'deleted') {
      const next = new Map(points.value);
      for (const id of event.runIds) next.delete(id);
      points.value = next;
      selected.value = selected.value.filter((id) => !event.runIds.includes(id));
    }
  });
  api.onResync(() => {
    for (const id of points.value.keys()) reloadLater(id);
  });

  return { selected, axis, smoothing, logScale, points, errors, ensureLoaded, select };
});
