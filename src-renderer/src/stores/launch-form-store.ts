import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { SuggestedField } from '../../../src-main/shared/refusal';
import type { RunConfig } from '../../../src-main/shared/train/run-config';
import { BOOK_DENSE_UNITS } from '../../../src-main/shared/models/vgg';
import type { PresetInfo } from '../../../src-main/api/entities';
import { readSavedLaunch, saveLaunch } from '../lib/saved-launch-form';
import { formFromConfig, recipeFields, toStartRequest, toSummaryRequest, type LaunchForm, type StartRunRequest } from '../lib/run-request';
import { useApiStore } from './api-store';
import { useCatalogStore } from './catalog-store';
import { useRunOnStore } from './run-on-store';
import { useRunsStore } from './runs-store';

/** The form before presets load; replaced by the chosen preset's recipe. */
const INITIAL: LaunchForm = {
  model: 'lenet',
  blocks: [],
  widthRatio: 1,
  denseUnits: BOOK_DENSE_UNITS,
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
  initFrom: '',
  layerStats: null,
  device: 'auto',
  precision: 'fp32',
};

/**
 * The Launch form and the runs waiting to be queued together. Kept in a
 * store so leaving the view to watch a run does not lose what was typed,
 * and in the tab's sessionStorage so a reload does not either.
 */
export const useLaunchFormStore = defineStore('launchForm', () => {
  const api = useApiStore();
  const runOn = useRunOnStore();
  const catalog = useCatalogStore();
  const runs = useRunsStore();
  const saved = readSavedLaunch(sessionStorage);
  const form = ref<LaunchForm>(saved?.form ?? { ...INITIAL });
  const drafts = ref<StartRunRequest[]>(saved?.drafts ?? []);
  watch([form, drafts], () => saveLaunch(sessionStorage, { form: form.value, drafts: drafts.value }), { deep: true });

  const preset = computed<PresetInfo | undefined>(() => catalog.preset(form.value.model));
  const isVgg = computed(() => preset.value?.family === 'vgg');
  const request = computed(() => toStartRequest(form.value, preset.value));
  const summaryRequest = computed(() => toSummaryRequest(form.value, preset.value));

  /** A form restored after a reload keeps its values; a fresh one takes its preset's recipe once presets are known. */
  let initialized = saved !== null;
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

  /** A refusal's suggestion taken: the field set to the value that works. */
  function applySuggestion(field: SuggestedField, value: number): void {
    form.value = { ...form.value, [field]: value };
  }

  /** The form filled from a recorded run's config (to launch it again, changed), its name and tags left blank. */
  function editFrom(config: RunConfig): void {
    form.value = formFromConfig(config, catalog.preset(config.model));
    initialized = true;
  }

  async function start(): Promise<string> {
    const { run } = await api.call('runs.start', { ...request.value, ...runOn.requestField });
    runs.add([run]);
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
    const { runs: queued } = await api.call('runs.startQueue', { runs: drafts.value.map((draft) => ({ ...draft, ...runOn.requestField })) });
    drafts.value = [];
    runs.add(queued);
    return queued.map((run) => run.id);
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
    applySuggestion,
    editFrom,
    start,
    addDraft,
    removeDraft,
    queueDrafts,
  };
});
