import type { EngineRow } from '../engine-row';
import { selfCheck } from '../engine-row';
import { ENGINE_PACKAGES } from '../engine-packages';
import { machineMemory } from '../machine-memory';

/** Plain JavaScript kernels: slow, but everywhere; tensors in the machine's memory. */
export const cpuRow: EngineRow = {
  id: 'cpu',
  package: ENGINE_PACKAGES.cpu,
  load: async () => (await import('./cpu-engine')).loadCpuEngine(),
  selfCheck,
  memory: (availableBytes) => machineMemory('cpu', availableBytes),
};
