import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { runWasmKernel } from './kernel-call';

type Shape4D = [number, number, number, number];

/**
 * The input gradient of a stride-1 2-D convolution as one XNNPACK convolution,
 * or undefined where that does not apply (the caller then runs the backend's
 * own kernel).
 *
 * The wasm backend ships Conv2DBackpropInput as a scalar loop, 8-13x slower
 * than its Conv2D on VGG-sized layers (measured), and it dominated a training
 * step. For stride 1:
 *   dx[b, i, j, ci] = Σ_{kh,kw,co} dyPadded[b, i + kh, j + kw, co] · w[K-1-kh, K-1-kw, ci, co]
 * i.e. dy, padded by (K - 1 - forward padding), convolved with the filter
 * rotated by 180° and with its channel axes swapped. Larger strides (in our
 * models only AlexNet's first layer, whose input gradient training never
 * needs) and paddings wider than the kernel are left to the backend.
 */
export function conv2DBackpropInputStride1({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo | undefined {
  const wasm = backend as KernelBackend;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (!dy || !filter || dataFormat !== 'NHWC') return undefined;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4D, strides, 1, pad, dimRoundingMode);
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return undefined;
  const [, outHeight, outWidth] = dy.shape;
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  // Whatever makes the result exactly the input's size.
  const bottom = info.inHeight + info.filterHeight - 1 - top - outHeight;
  const right = info.inWidth + info.filterWidth - 1 - left - outWidth;
  if (Math.min(top, left, bottom, right) < 0) return undefined;

  const reversed = runWasmKernel(tf.Reverse, { x: filter }, wasm, { dims: [0, 1] });
  const rotated = runWasmKernel(tf.Transpose, { x: reversed }, wasm, { perm: [0, 1, 3, 2] });
  wasm.disposeData(reversed.dataId);
  const dx = runWasmKernel(tf.Conv2D, { x: dy, filter: rotated }, wasm, {
    strides: 1,
    dilations: 1,
    pad: [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  });
  wasm.disposeData(rotated.dataId);
  return dx;
}
