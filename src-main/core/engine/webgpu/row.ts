import type { EngineRow } from '../engine-row';
import { selfCheck } from '../engine-row';
import { ENGINE_PACKAGES } from '../engine-packages';
import { gpuBufferRefusal } from './gpu-buffer-check';

/**
 * WebGPU through Dawn. `auto` takes only a hardware adapter; a software one
 * (SwiftShader) only by name. Its memory is not known, so each tensor is
 * checked against the adapter's per-buffer limits instead (gpu-buffer-check.ts).
 */
export const webgpuRow: EngineRow = {
  id: 'webgpu',
  package: ENGINE_PACKAGES.webgpu,
  load: async ({ byName }) => (await import('./webgpu-engine')).loadWebGpuEngine({ allowSoftware: byName }),
  selfCheck,
  memory: () => ({ bytes: undefined, description: 'WebGPU does not report the GPU memory' }),
  // A step only enqueues kernels: reading its loss at once would drain the queue and idle the GPU.
  stepsRunAhead: true,
  checkBuffers: (run, engine) => (engine.adapter ? gpuBufferRefusal(run, engine.adapter) : undefined),
};
