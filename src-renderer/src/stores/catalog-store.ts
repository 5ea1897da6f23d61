import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { EngineStatusInfo, PresetInfo } from '../../../src-main/api/entities';
import { describeError, type ShownError } from '../lib/describe-error';
import { useApiStore } from './api-store';
import { engineForAuto } from '../../../src-main/shared/train/auto-engine';

/** What the service offers: network presets with their book recipes, and the engines. */
export const useCatalogStore = defineStore('catalog', () => {
  const api = useApiStore();
  const presets = shallowRef<PresetInfo[]>([]);
  const presetsError = ref<ShownError | null>(null);
  const engines = shallowRef<EngineStatusInfo[]>([]);
  const enginesLoading = ref(false);
  const enginesError = ref<ShownError | null>(null);
  let presetsLoad: Promise<void> | undefined;

  function loadPresets(): Promise<void> {
    presetsLoad ??= api.call('models.presets', {}).then(
      (result) => {
        presets.value = result.presets;
        presetsError.value = null;
      },
      (error: unknown) => {
        presetsError.value = describeError(error);
        presetsLoad = undefined;
      },
    );
    return presetsLoad;
  }

  /** The probe runs in a child process and takes seconds the first time; `refresh` probes again. */
  async function loadEngines(refresh = false): Promise<void> {
    enginesLoading.value = true;
    try {
      engines.value = (await api.call('engines.list', { refresh })).engines;
      enginesError.value = null;
    } catch (error) {
      enginesError.value = describeError(error);
    } finally {
      enginesLoading.value = false;
    }
  }

  /** What `auto` trains on: the first available engine in the service's order, skipping a software GPU adapter. */
  const autoEngine = computed(() => engineForAuto(engines.value) ?? null);

  function preset(id: string): PresetInfo | undefined {
    return presets.value.find((p) => p.id === id);
  }

  return { presets, presetsError, engines, enginesLoading, enginesError, autoEngine, loadPresets, loadEngines, preset };
});
