import type { EngineRow } from '../engine-row';
import { selfCheck } from '../engine-row';
import { ENGINE_PACKAGES } from '../engine-packages';
import { machineMemory } from '../machine-memory';

/** libtensorflow on the CPU (tfjs-node): tensors in the machine's memory. */
export const tensorflowRow: EngineRow = {
  id: 'tensorflow',
  package: ENGINE_PACKAGES.tensorflow,
  load: async () => (await import('./native-engine')).loadNativeEngine('tensorflow'),
  selfCheck,
  memory: (availableBytes) => machineMemory('tensorflow', availableBytes),
};

/** libtensorflow with CUDA (tfjs-node-gpu): the GPU's memory, which tfjs does not report, is not checked. */
export const tensorflowGpuRow: EngineRow = {
  id: 'tensorflow-gpu',
  package: ENGINE_PACKAGES['tensorflow-gpu'],
  load: async () => (await import('./native-engine')).loadNativeEngine('tensorflow-gpu'),
  selfCheck,
  memory: () => ({ bytes: undefined, description: 'the GPU memory is not known to tfjs' }),
};
