import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { avgPoolGradTiled } from './avg-pool-grad';
import { batchMatMulWithoutTransposes } from './batch-mat-mul';
import { wasmConv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputStride1 } from './conv2d-backprop-input';
import { maxPoolGradFirstMax } from './max-pool-grad';

/**
 * Makes the wasm backend (4.22.0) fit for training our conv nets:
 * - Conv2DBackpropFilter is missing (tensorflow/tfjs#8474): added.
 * - Conv2DBackpropInput, transposed BatchMatMul and AvgPoolGrad exist but
 *   run scalar loops, 8-40x slower than the XNNPACK kernels beside them, and
 *   dominated the training step: wrapped with fast paths built from the
 *   backend's own fast kernels.
 * - MaxPoolGrad sends ties to the last maximum, not the first as cpu does,
 *   and drops all-zero windows: replaced by a one-pass first-max kernel.
 * Every other gradient our models need (ReLU, sigmoid, average
 * pooling, dense, dropout, softmax cross-entropy) runs on kernels the backend
 * ships; test/core/engine/wasm-training-kernels.test.ts checks them all
 * against the cpu backend.
 *
 * Call it after importing '@tensorflow/tfjs-backend-wasm' (whose import
 * registers the backend's kernels), before or after the backend starts; any
 * number of times. A kernel that is already there (ours, or a later tfjs
 * release's own Conv2DBackpropFilter) is left alone.
 */
export function registerWasmTrainingKernels(): void {
  if (!tf.findBackendFactory('wasm')) {
    throw new Error("registerWasmTrainingKernels: import '@tensorflow/tfjs-backend-wasm' first");
  }
  if (!wasmKernel(tf.Conv2DBackpropFilter)) tf.registerKernel(wasmConv2DBackpropFilterConfig);
  addFastPath(tf.Conv2DBackpropInput, (args) => conv2DBackpropInputStride1(args));
  addFastPath(tf.BatchMatMul, (args, shipped) => batchMatMulWithoutTransposes(args, shipped));
  addFastPath(tf.AvgPoolGrad, (args) => avgPoolGradTiled(args));
  addFastPath(tf.MaxPoolGrad, (args) => maxPoolGradFirstMax(args));
}

/** Computes a kernel's result a faster way, or returns undefined to let the shipped kernel do it. */
type FastPath = (args: Parameters<KernelFunc>[0], shipped: KernelConfig) => TensorInfo | undefined;

/** Kernel functions installed by addFastPath, so a second call does not wrap them twice. */
const wrapped = new WeakSet<KernelFunc>();

function addFastPath(kernelName: string, fastPath: FastPath): void {
  const shipped = wasmKernel(kernelName);
  if (!shipped || wrapped.has(shipped.kernelFunc)) return;
  const kernelFunc: KernelFunc = (args) => fastPath(args, shipped) ?? shipped.kernelFunc(args);
  wrapped.add(kernelFunc);
  tf.unregisterKernel(kernelName, 'wasm');
  // The shipped setupFunc stays: it binds the wasm function the fallback calls.
  tf.registerKernel({ ...shipped, kernelFunc });
}

function wasmKernel(kernelName: string): KernelConfig | undefined {
  return tf.getKernel(kernelName, 'wasm') as KernelConfig | undefined;
}
