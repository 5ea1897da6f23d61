/**
 * The engine `auto` trains on, from a probe's list in preference order: the
 * first available one, except a webgpu engine on a software adapter
 * (SwiftShader, lavapipe), which computes on the CPU slower than wasm and is
 * used only when chosen by name (core/engine/engines.ts skips it the same way).
 */
export function engineForAuto<T extends { available: boolean; adapter?: { software: boolean } }>(engines: readonly T[]): T | undefined {
  return engines.find((engine) => engine.available && engine.adapter?.software !== true);
}
