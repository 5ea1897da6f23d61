import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { RunOn } from '../../../src-main/api/methods';
import { useWorkersStore } from './workers-store';

const STORAGE_KEY = 'vgg-workbench.run-on';

/**
 * Where Launch and the plan cards send a run: this machine, or the GPU
 * workers of the service's Redis queue. The choice is remembered; the
 * workers are offered only while a queue is connected, and a remembered
 * "workers" falls back to this machine while none is.
 */
export const useRunOnStore = defineStore('runOn', () => {
  const workers = useWorkersStore();
  const chosen = ref<RunOn>(localStorage.getItem(STORAGE_KEY) === 'workers' ? 'workers' : 'here');
  watch(chosen, (value) => localStorage.setItem(STORAGE_KEY, value));

  /** A queue is connected: the service has one and reached it. */
  const offered = computed(() => workers.state.queue !== null && workers.state.reason === null);
  /** What a launch uses now. */
  const where = computed<RunOn>(() => (offered.value ? chosen.value : 'here'));
  /** The request's `on` field: left out for this machine, so requests stay as they were without a queue. */
  const requestField = computed<{ on?: RunOn }>(() => (where.value === 'workers' ? { on: 'workers' } : {}));

  return { chosen, offered, where, requestField, ready: () => workers.ready() };
});
