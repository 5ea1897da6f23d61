import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWebGpu } from './webgpu-conv2d-backprop-filter';

/** Kernels that replace tfjs 4.22's slow webgpu ones for training; see each file for why. */
const KERNELS: tf.KernelConfig[] = [conv2dBackpropFilterWebGpu];

/** Replaces the package's kernels with ours; safe to call more than once. */
export function registerWebGpuTrainingKernels(): void {
  for (const kernel of KERNELS) {
    // registerKernel warns and keeps going when a kernel exists; replace it quietly instead.
    if (tf.getKernel(kernel.kernelName, kernel.backendName)) tf.unregisterKernel(kernel.kernelName, kernel.backendName);
    tf.registerKernel(kernel);
  }
}
