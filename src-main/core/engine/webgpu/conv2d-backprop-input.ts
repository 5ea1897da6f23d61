import * as tf from '@tensorflow/tfjs';

/**
 * The input gradient of a 2-D convolution on WebGPU: tfjs 4.22's own two
 * programs, chosen per call instead of by one process-wide flag.
 *
 * - The matrix-product program (Conv2DDerInputMMProgram) tiles dx as
 *   (H·W) × Cin over an inner dimension of kh·kw·Cout, reusing each loaded
 *   value across its tile. It wins wherever Cin fills a tile: every VGG and
 *   AlexNet layer (64 channels and up).
 * - The naive program (one thread per dx value, looping over the filter) is
 *   tfjs's default (WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE = true). It wins for
 *   thin inputs such as LeNet's 6 channels, where most of a tile would be
 *   padding. Measured on SwiftShader, LeNet at batch 32: the matrix product
 *   took 1.8 s a step for this kernel, the naive one 0.16 s.
 */
const MIN_CHANNELS_FOR_MATMUL = 32;
const FLAG = 'WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE';

let packageKernel: tf.KernelConfig | undefined;

/** Our config, wrapping the package's kernel (read once from the registry, before we replace it). */
export function conv2dBackpropInputWebGpu(): tf.KernelConfig {
  packageKernel ??= tf.getKernel(tf.Conv2DBackpropInput, 'webgpu');
  const original = packageKernel;
  if (!original) throw new Error('tfjs-backend-webgpu registered no Conv2DBackpropInput kernel');
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const { inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
      const channels = inputShape[3] ?? 0;
      const before = tf.env().getBool(FLAG);
      // Kernels run synchronously, so the flag cannot leak into another call.
      tf.env().set(FLAG, channels < MIN_CHANNELS_FOR_MATMUL);
      try {
        return original.kernelFunc(args);
      } finally {
        tf.env().set(FLAG, before);
      }
    },
  };
}
