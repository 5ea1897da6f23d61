import * as tf from '@tensorflow/tfjs';
import type { EngineInfo } from '../../shared/train/events';
import { EngineUnavailableError } from './engine-unavailable';
import { registerWasmTrainingKernels } from './wasm-training-kernels';

export const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';

/**
 * Registers the wasm backend (imported on demand, so processes that never use
 * it do not register it), adds the training kernels it lacks and starts it.
 * Leaves 'wasm' as the active backend.
 */
export async function loadWasmEngine(): Promise<Omit<EngineInfo, 'id'>> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) {
    // tfjs has already logged the underlying error as a warning.
    throw new EngineUnavailableError(
      'the wasm backend failed to initialise (see the warning above)',
      `check that the .wasm files of ${WASM_PACKAGE} are installed next to its dist/ files`,
    );
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = wasm.getThreadsCount();
  return {
    backend: 'wasm',
    version: wasm.version_wasm,
    detail: `XNNPACK, SIMD ${simd ? 'on' : 'off'}, ${threads} thread${threads === 1 ? '' : 's'}`,
  };
}
