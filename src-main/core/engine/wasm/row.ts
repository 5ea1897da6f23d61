import type { EngineRow } from '../engine-row';
import { selfCheck } from '../engine-row';
import { ENGINE_PACKAGES } from '../engine-packages';
import { wasmMemory } from './wasm-memory';
import { machineMemoryLimit } from '../memory-limit';
import { replicasShip } from './wasm-layout';
import { planWasmLayout, ThreadsTooManyError } from './wasm-layout-plan';

/**
 * The wasm engine: XNNPACK on every core, as data-parallel replicas
 * (wasm-layout.ts, planned to fit memory by wasm-layout-plan.ts), inside a heap of at most 4 GB (wasm-memory.ts).
 */
export const wasmRow: EngineRow = {
  id: 'wasm',
  package: ENGINE_PACKAGES.wasm,
  load: async ({ threads, layout, layoutNote }) => {
    const info = await (await import('./wasm-engine')).loadWasmEngine({ threads, ...(layout ? { layout } : {}) });
    return layoutNote ? { ...info, detail: `${info.detail ?? 'wasm'}; ${layoutNote}` } : info;
  },
  selfCheck,
  memory: () => wasmMemory(),
  // Auto threads get the fastest layout that fits; an explicit count that cannot fit is refused before the run allocates.
  planRun: (run, machine) => {
    try {
      const plan = planWasmLayout(run, {
        ...(run.threads === undefined ? {} : { threads: run.threads }),
        limit: machine.limit ?? machineMemoryLimit(),
        replicasAvailable: replicasShip(),
      });
      return { load: { layout: plan.layout, layoutNote: plan.summary } };
    } catch (error) {
      if (error instanceof ThreadsTooManyError) return { load: {}, refusal: error };
      // Anything else (a network the summary rejects) is the trainer's to report, in its own words.
      return undefined;
    }
  },
  loadReplica: async (threadsPerReplica) => {
    const { loadWasmEngine } = await import('./wasm-engine');
    await loadWasmEngine({ layout: { replicas: 1, threadsPerReplica } });
  },
};
