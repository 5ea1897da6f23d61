import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { EngineSpeed } from '../../../src-main/shared/plans/plan-estimate';
import { describeError, type ShownError } from '../lib/describe-error';
import { useApiStore } from './api-store';

/** Where runs could train, and how fast: what every time estimate is scaled from. */
export interface PlaceSpeed {
  /** `this machine`, or a worker's name. */
  where: string;
  /** The engine it measured (wasm, webgpu...). */
  engine: string;
  speed: EngineSpeed;
}

/**
 * This machine's training speed (measured once by the service, `engines.speed`),
 * and the speeds of other places runs can go. The workers panel adds a
 * connected worker's with `setPlace`; the Plans view and the baseline panel
 * show an estimate for each.
 */
export const useSpeedStore = defineStore('speed', () => {
  const api = useApiStore();
  const local = shallowRef<PlaceSpeed | null>(null);
  const others = ref<PlaceSpeed[]>([]);
  const loading = ref(false);
  const error = ref<ShownError | null>(null);
  let loadingOnce: Promise<void> | undefined;

  /** Measures on first use (seconds, in a child process of the service); later calls share the answer. */
  function load(): Promise<void> {
    loadingOnce ??= (async () => {
      loading.value = true;
      try {
        const measured = await api.call('engines.speed', {});
        local.value = { where: 'this machine', engine: measured.engine, speed: measured.speed };
        error.value = null;
      } catch (caught) {
        error.value = describeError(caught);
        loadingOnce = undefined;
      } finally {
        loading.value = false;
      }
    })();
    return loadingOnce;
  }

  /** Adds or replaces another place's speed (a worker's), by `where`. */
  function setPlace(place: PlaceSpeed): void {
    others.value = [...others.value.filter((p) => p.where !== place.where), place];
  }
  function removePlace(where: string): void {
    others.value = others.value.filter((p) => p.where !== where);
  }

  const places = computed(() => [...(local.value ? [local.value] : []), ...others.value]);
  return { local, places, loading, error, load, setPlace, removePlace };
});
