import type { EngineId } from '../../shared/train/run-config';

/** The npm package behind each engine: the rows' `package`, and what each loader imports or names in its errors. */
export const ENGINE_PACKAGES: Readonly<Record<EngineId, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};
