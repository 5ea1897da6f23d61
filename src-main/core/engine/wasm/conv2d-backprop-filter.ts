import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { runWasmKernel } from './kernel-call';

/**
 * The filter gradient of a 2-D convolution for the wasm backend, which ships
 * without one (tensorflow/tfjs#8474), so no conv net can train on it.
 *
 * The forward pass is
 *   y[b, oh, ow, co] = Σ_{kh,kw,ci} xPadded[b, oh·s + kh, ow·s + kw, ci] · w[kh, kw, ci, co]
 * so the filter gradient is
 *   dw[kh, kw, ci, co] = Σ_{b,oh,ow} xPadded[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co].
 * That is itself one convolution, if the input channels play the batch and the
 * batch plays the channels:
 *   input  xT  = x  as [ci, H, W, B]
 *   filter dyT = dy as [OH, OW, B, co]
 *   conv2d(xT, dyT, stride 1, dilation s, the forward padding) = dw as [ci, KH, KW, co]
 * which runs on the backend's own XNNPACK convolution. The forward padding is
 * passed to that convolution instead of padding x, which saves a copy of x.
 */
export const wasmConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};

type Shape4D = [number, number, number, number];

function conv2DBackpropFilter({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const wasm = backend as KernelBackend;
  const { x, dy } = inputs;
  if (!x || !dy) throw new Error('Conv2DBackpropFilter (wasm) needs inputs x and dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') {
    // The wasm Conv2D is channels-last only, so an NCHW forward pass never gets here.
    throw new Error(`Conv2DBackpropFilter (wasm) supports NHWC only, got ${dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4D,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const [, outHeight, outWidth] = dy.shape;
  // Padding after the last row/column so the gradient conv yields exactly the
  // filter size. It can be below the forward padding (valid convs whose stride
  // skips the last rows); a negative value would crop, which XNNPACK cannot,
  // so those rare extra rows are computed and sliced off instead.
  const padBottom = info.filterHeight + (outHeight - 1) * info.strideHeight - info.inHeight - info.padInfo.top;
  const padRight = info.filterWidth + (outWidth - 1) * info.strideWidth - info.inWidth - info.padInfo.left;

  const xT = runWasmKernel(tf.Transpose, { x }, wasm, { perm: [3, 1, 2, 0] });
  const dyT = runWasmKernel(tf.Transpose, { x: dy }, wasm, { perm: [1, 2, 0, 3] });
  const gradT = runWasmKernel(tf.Conv2D, { x: xT, filter: dyT }, wasm, {
    strides: 1,
    dilations: [info.strideHeight, info.strideWidth],
    pad: [
      [0, 0],
      [info.padInfo.top, Math.max(0, padBottom)],
      [info.padInfo.left, Math.max(0, padRight)],
      [0, 0],
    ],
    dataFormat: 'NHWC',
  });
  wasm.disposeData(xT.dataId);
  wasm.disposeData(dyT.dataId);

  let cropped = gradT;
  if (padBottom < 0 || padRight < 0) {
    cropped = runWasmKernel(tf.Slice, { x: gradT }, wasm, {
      begin: [0, 0, 0, 0],
      size: [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels],
    });
    wasm.disposeData(gradT.dataId);
  }
  const grad = runWasmKernel(tf.Transpose, { x: cropped }, wasm, { perm: [1, 2, 0, 3] });
  wasm.disposeData(cropped.dataId);
  return grad;
}
