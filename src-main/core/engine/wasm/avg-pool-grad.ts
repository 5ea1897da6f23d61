import * as tf from '@tensorflow/tfjs';
import type { AvgPoolGradAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runWasmKernel } from './kernel-call';

/**
 * The gradient of an average pool whose windows tile the input exactly
 * (size = stride, no padding, sides divisible: LeNet-5's 2×2/2 pools), or
 * undefined where that does not apply.
 *
 * Each input pixel then lies in exactly one window, so
 *   dx[b, i·k + a, j·k + c, ch] = dy[b, i, j, ch] / k²,
 * a nearest-neighbour upsampling of dy and a scale. (A Tile over window axes
 * was tried first: the wasm Tile is a scalar loop too, 8x slower.) The wasm
 * backend's AvgPoolGrad is a scalar loop: on LeNet-5 at batch 256 it took 12%
 * of a training step.
 */
export function avgPoolGradTiled({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo | undefined {
  const wasm = backend as BackendWasm;
  const { dy, input } = inputs;
  const { filterSize, strides, pad } = attrs as unknown as AvgPoolGradAttrs;
  if (!dy || !input || input.shape.length !== 4 || dy.shape.length !== 4) return undefined;
  const [kh, kw] = pair(filterSize);
  const [sh, sw] = pair(strides);
  const [, inHeight, inWidth] = input.shape as [number, number, number, number];
  const [, outHeight, outWidth] = dy.shape as [number, number, number, number];
  const tiles = kh === sh && kw === sw && outHeight * kh === inHeight && outWidth * kw === inWidth;
  if (!tiles || (pad !== 'valid' && pad !== 0)) return undefined;

  // Upsampling by an integer factor with nearest-neighbour (no corner alignment,
  // no half-pixel centres) maps output row y to dy row floor(y / k): exactly the window.
  const upsampled = runWasmKernel(tf.ResizeNearestNeighbor, { images: dy }, wasm, {
    size: [inHeight, inWidth],
    alignCorners: false,
    halfPixelCenters: false,
  });
  const scale = wasm.makeOutput([], 'float32', undefined, new Float32Array([1 / (kh * kw)]));
  const dx = runWasmKernel(tf.Multiply, { a: upsampled, b: scale }, wasm, {});
  wasm.disposeData(scale.dataId);
  wasm.disposeData(upsampled.dataId);
  return dx;
}

const pair = (value: number | [number, number]): [number, number] =>
  typeof value === 'number' ? [value, value] : value;
