import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Shape4D = [number, number, number, number];

/**
 * The gradient of a 2-D max pool that sends each window's gradient to the
 * window's FIRST maximum in row-major order, as the cpu backend (the
 * reference) and TensorFlow do, or undefined where it does not apply
 * (non-float32 tensors).
 *
 * The wasm backend's MaxPoolGrad (tfjs-backend-wasm/src/cc/kernels/MaxPoolGrad.cc)
 * differs twice: it keeps the LAST maximum (`x >= max`), and it starts from
 * FLT_MIN rather than -∞, so a window of zeros or negatives has no maximum
 * and its gradient is dropped. Ties are common on Fashion-MNIST, whose flat
 * black background gives equal activations after a convolution, so training
 * on wasm followed different gradients than on cpu. It is also a generic 3-D
 * pooling loop that walks every window covering each input pixel: 12% of a
 * vgg11-w0.25 step, 5% of vgg11-96 (`npm run bench -- --profile`).
 *
 * This kernel is one pass over the input, in place on the wasm heap: dx = 0,
 * then for each window, channels innermost (NHWC is contiguous in them), find
 * the first strict maximum (`>` from -∞, as cpu's maxPoolPositions; a window
 * of NaN or -∞ has none and passes nothing) and add dy to it. Overlapping
 * windows (AlexNet's 3×3 / 2) add into dx in float32 where cpu sums in
 * float64: equal up to rounding.
 */
export function maxPoolGradFirstMax({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo | undefined {
  const wasm = backend as BackendWasm;
  const { dy, input } = inputs;
  if (!dy || !input || input.dtype !== 'float32' || dy.dtype !== 'float32' || input.shape.length !== 4) return undefined;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4D, filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: filterHeight, effectiveFilterWidth: filterWidth } = info;
  const { top: padTop, left: padLeft } = info.padInfo;

  const dx = wasm.makeOutput(input.shape, 'float32');
  // Views made after makeOutput: an allocation may grow the heap and detach older ones.
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const out = wasm.typedArrayFromHeap(dx) as Float32Array;
  const tiles2x2 =
    filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 &&
    padTop === 0 && padLeft === 0 && inHeight === 2 * outHeight && inWidth === 2 * outWidth;
  if (tiles2x2) {
    firstMax2x2(x, g, out, batchSize * outHeight, outWidth, channels);
    return dx;
  }
  out.fill(0);

  const maxValue = new Float32Array(channels);
  const maxIndex = new Int32Array(channels);
  const rowStride = inWidth * channels;
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchBase = b * inHeight * rowStride;
    for (let yR = 0; yR < outHeight; yR++) {
      const rowCorner = yR * strideHeight - padTop;
      const rowStart = Math.max(0, rowCorner);
      const rowEnd = Math.min(inHeight, rowCorner + filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const colCorner = yC * strideWidth - padLeft;
        const colStart = Math.max(0, colCorner);
        const colEnd = Math.min(inWidth, colCorner + filterWidth);
        maxValue.fill(-Infinity);
        maxIndex.fill(-1);
        for (let xR = rowStart; xR < rowEnd; xR++) {
          for (let xC = colStart; xC < colEnd; xC++) {
            const pixel = batchBase + xR * rowStride + xC * channels;
            for (let d = 0; d < channels; d++) {
              const value = x[pixel + d]!;
              if (value > maxValue[d]!) {
                maxValue[d] = value;
                maxIndex[d] = pixel + d;
              }
            }
          }
        }
        for (let d = 0; d < channels; d++, dyIndex++) {
          const at = maxIndex[d]!;
          if (at >= 0) out[at] = out[at]! + g[dyIndex]!;
        }
      }
    }
  }
  return dx;
}

/**
 * VGG's 2×2 / 2 pools on even sides: every pixel lies in exactly one window,
 * so each of the four is written once (dy or 0) and dx needs no clearing; the
 * same first-strict-maximum rule, unrolled. vgg11-w0.25's five pools took
 * 12.3 ms a step with the general loop, 9.0 ms with this (2 threads, profiled).
 */
function firstMax2x2(x: Float32Array, g: Float32Array, out: Float32Array, outRows: number, outWidth: number, channels: number): void {
  const pixel = channels;
  const row = 2 * outWidth * channels;
  let dyIndex = 0;
  for (let r = 0; r < outRows; r++) {
    const top = 2 * r * row;
    for (let c = 0; c < outWidth; c++) {
      const corner = top + 2 * c * pixel;
      for (let d = 0; d < channels; d++, dyIndex++) {
        const i00 = corner + d;
        const i01 = i00 + pixel;
        const i10 = i00 + row;
        const i11 = i10 + pixel;
        let max = -Infinity;
        let at = -1;
        if (x[i00]! > max) (max = x[i00]!), (at = 0);
        if (x[i01]! > max) (max = x[i01]!), (at = 1);
        if (x[i10]! > max) (max = x[i10]!), (at = 2);
        if (x[i11]! > max) at = 3;
        const grad = g[dyIndex]!;
        out[i00] = at === 0 ? grad : 0;
        out[i01] = at === 1 ? grad : 0;
        out[i10] = at === 2 ? grad : 0;
        out[i11] = at === 3 ? grad : 0;
      }
    }
  }
}
