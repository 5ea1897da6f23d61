// Moved: the layout model is the wasm engine's own (core/engine/wasm/wasm-layout*.ts) and the
// memory limit every engine's (core/engine/memory-limit.ts). This re-export keeps cli/bench.ts,
// which another branch rewrites, compiling until it imports them from there; then delete it.
export { estimateLayoutMemory } from '../engine/wasm/wasm-layout-memory';
export { layoutOfEngine } from '../engine/wasm/wasm-layout';
