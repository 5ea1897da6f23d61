import type { EngineRow } from '../engine-row';
import { selfCheck } from '../engine-row';
import { ENGINE_PACKAGES } from '../engine-packages';
import { wasmMemory } from './wasm-memory';

/**
 * The wasm engine: XNNPACK on every core, as data-parallel replicas
 * (thread-layout.ts), inside a heap of at most 4 GB (wasm-memory.ts).
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
  loadReplica: async (threadsPerReplica) => {
    const { loadWasmEngine } = await import('./wasm-engine');
    await loadWasmEngine({ layout: { replicas: 1, threadsPerReplica } });
  },
};
