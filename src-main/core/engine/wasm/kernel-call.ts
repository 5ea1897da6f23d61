import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';

/**
 * Calls a registered wasm kernel directly, as the backend's own composite
 * kernels do: no gradient tape, no engine bookkeeping. The caller owns the
 * result and must free it with `backend.disposeData(result.dataId)` unless it
 * returns it from its own kernel.
 */
export function runWasmKernel(
  kernelName: string,
  inputs: NamedTensorInfoMap,
  backend: KernelBackend,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm') as KernelConfig | undefined;
  if (!kernel) throw new Error(`wasm kernel ${kernelName} is not registered`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}
