import type { EngineId } from '../../shared/train/run-config';

/** The package behind each engine (npm's; PyTorch's is Python's): the rows' `package`, and what each loader imports or names in its errors. */
export const ENGINE_PACKAGES: Readonly<Record<EngineId, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  // Not an npm package: the user's own Python package, found at run time (core/engine/pytorch/find-python.ts).
  pytorch: 'torch',
};
