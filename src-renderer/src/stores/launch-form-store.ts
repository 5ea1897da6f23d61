import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { RESIZE_OPTIONS } from '../../../src-main/shared/train/run-config';
import type { PresetInfo } from '../../../src-main/api/entities';
import { recipeFields, toStartRequest, toSummaryRequest, type LaunchForm, type StartRunRequest } from '../lib/run-request';
import { useApiStore } from './api-store';
import { useCatalogStore } from './catalog-store';

/** The form before presets load; replaced by the chosen preset's recipe. */
const INITIAL: LaunchForm = {
  model: 'lenet',
  blocks: [],
  widthRatio: 1,
  denseUnits: 4096,
  resize: 28,
  epochs: 5,
  batchSize: 256,
  lr: 0.5,
  momentum: 0,
  seed: 0,
  engine: 'auto',
  trainLimit: null,
  testLimit: null,
  name: '',
  tags: '',
  baseline: false,
};

/**
 * The Launch form and the runs waiting to be queued together. Kept in a
 * store so leaving the view to watch a run does not lose what was typed.
 */
export const useLaunchFormStore = defineStore('launchForm', () => {
  const api = useApiStore();
  const catalog = useCatalogStore();
  const form = ref<LaunchForm>({ ...INITIAL });
  const drafts = ref<StartRunRequest[]>([]);

  const preset = computed<PresetInfo | undefined>(() => catalog.preset(form.value.model));
  const isVgg = computed(() => preset.value?.family === 'vgg');
  const request = computed(() => toStartRequest(form.value, preset.value));
  const summaryRequest = computed(() => toSummaryRequest(form.value, preset.value));

  let initialized = false;
  /** The first time presets are known, the form takes its preset's recipe; later visits keep the edits. */
  function initialize(): void {
    if (initialized || !preset.value) return;
    initialized = true;
    choosePreset(form.value.model);
  }

  /** Switches the network and takes its book recipe (size, batch, lr, epochs); keeps engine, seed and limits. */
  function choosePreset(id: string): void {
    const next = catalog.preset(id);
    form.value = { ...form.value, model: id, ...(next ? recipeFields(next) : {}) };
  }

  /** Resets the recipe fields of the current preset (after edits). */
  function resetToRecipe(): void {
    choosePreset(form.value.model);
  }

  /** The smallest offered side that fits the network, for the "use N px" fix. */
  function smallestResizeFrom(minimumSide: number): number | undefined {
    return RESIZE_OPTIONS.find((side) => side >= minimumSide);
  }

  async function start(): Promise<string> {
    const { run } = await api.call('runs.start', request.value);
    return run.id;
  }

  function addDraft(): void {
    drafts.value = [...drafts.value, request.value];
  }

  function removeDraft(index: number): void {
    drafts.value = drafts.value.filter((_, i) => i !== index);
  }

  /** Queues every draft at once: the service refuses all of them if one is invalid. */
  async function queueDrafts(): Promise<string[]> {
    const { runs } = await api.call('runs.startQueue', { runs: drafts.value });
    drafts.value = [];
    return runs.map((run) => run.id);
  }

  return {
    form,
    drafts,
    preset,
    isVgg,
    request,
    summaryRequest,
    initialize,
    choosePreset,
    resetToRecipe,
    smallestResizeFrom,
    start,
    addDraft,
    removeDraft,
    queueDrafts,
  };
});
