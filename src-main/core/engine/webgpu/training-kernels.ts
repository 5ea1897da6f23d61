import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWebGpu } from './conv2d-backprop-filter';
import { conv2dBackpropInputWebGpu } from './conv2d-backprop-input';
import { maxPoolGradWebGpu } from './max-pool-grad';

/**
 * Replaces tfjs 4.22's webgpu training kernels that are slow (the convolution
 * gradients) or break ties differently from cpu (max-pool's gradient) with
 * ours; each file says why. Safe to call more than once.
 */
export function registerWebGpuTrainingKernels(): void {
  const kernels = [conv2dBackpropFilterWebGpu, conv2dBackpropInputWebGpu(), maxPoolGradWebGpu];
  for (const kernel of kernels) {
    // registerKernel warns and keeps going when a kernel exists; replace it quietly instead.
    if (tf.getKernel(kernel.kernelName, kernel.backendName)) tf.unregisterKernel(kernel.kernelName, kernel.backendName);
    tf.registerKernel(kernel);
  }
}
