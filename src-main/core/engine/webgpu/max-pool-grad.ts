import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu/dist/webgpu_program';
import { flatDispatch } from './dispatch';

/**
 * Max-pool's gradient on WebGPU, sending each window's gradient to the FIRST
 * maximum in row-major order, as tfjs's cpu and wasm kernels and TensorFlow
 * do. tfjs-backend-webgpu 4.22 records the last maximum (`value >=
 * currMaxValue` in pool_webgpu.ts), which is a different, equally valid
 * subgradient, but trains differently: Fashion-MNIST's flat background
 * makes whole windows of equal values, after the first conv (bias only) as
 * much as in the image, so the same run would learn differently on webgpu
 * than on cpu. Caught by test/core/engine/webgpu-training-kernels.test.ts.
 *
 * One thread per input value: it visits the windows that cover it, finds
 * each window's first maximum, and sums dy over the windows it wins. No
 * positions buffer: a 2×2 stride-2 window (VGG, LeNet) costs 4 reads per
 * value, AlexNet's 3×3 stride 2 at most 4 windows of 9.
 */
class MaxPoolGradFirstMaxProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  uniforms = 'poolSize : vec2<i32>, strides : vec2<i32>, pads : vec2<i32>, outHW : vec2<i32>,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey = 'vggwbMaxPoolGradFirstMax';

  constructor(xShape: number[]) {
    this.outputShape = xShape;
    this.dispatchLayout = { x: xShape.map((_, i) => i) };
    this.dispatch = flatDispatch(xShape.reduce((a, b) => a * b, 1), this.workgroupSize[0]);
  }

  getUserCode(): string {
    return `
      // First row and column of the windows that cover input position p along one axis.
      fn firstWindow(p : i32, pad : i32, size : i32, stride : i32) -> i32 {
        let reach = p + pad - size + 1;
        return select(0, (reach + stride - 1) / stride, reach > 0);
      }

      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let b = coords[0];
          let r = coords[1];
          let c = coords[2];
          let d = coords[3];
          let lastRow = min(uniforms.outHW.x - 1, (r + uniforms.pads.x) / uniforms.strides.x);
          let lastCol = min(uniforms.outHW.y - 1, (c + uniforms.pads.y) / uniforms.strides.y);
          var grad = 0.0;
          for (var yr = firstWindow(r, uniforms.pads.x, uniforms.poolSize.x, uniforms.strides.x); yr <= lastRow; yr = yr + 1) {
            for (var yc = firstWindow(c, uniforms.pads.y, uniforms.poolSize.y, uniforms.strides.y); yc <= lastCol; yc = yc + 1) {
              var best = 0.0;
              var bestR = -1;
              var bestC = -1;
              for (var wr = 0; wr < uniforms.poolSize.x; wr = wr + 1) {
                let xr = yr * uniforms.strides.x - uniforms.pads.x + wr;
                if (xr < 0 || xr >= uniforms.xShape[1]) { continue; }
                for (var wc = 0; wc < uniforms.poolSize.y; wc = wc + 1) {
                  let xc = yc * uniforms.strides.y - uniforms.pads.y + wc;
                  if (xc < 0 || xc >= uniforms.xShape[2]) { continue; }
                  let value = getX(b, xr, xc, d);
                  if (bestR < 0 || value > best) {
                    best = value;
                    bestR = xr;
                    bestC = xc;
                  }
                }
              }
              if (bestR == r && bestC == c) {
                grad = grad + getDy(b, yr, yc, d);
              }
            }
          }
          setOutputAtIndex(index, grad);
        }
      }
    `;
  }
}

export const maxPoolGradWebGpu: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const program = new MaxPoolGradFirstMaxProgram(input.shape);
    return (backend as WebGPUBackend).runWebGPUProgram(program, [input, dy], 'float32', [
      { type: 'int32', data: [info.filterHeight, info.filterWidth] },
      { type: 'int32', data: [info.strideHeight, info.strideWidth] },
      { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32', data: [info.outHeight, info.outWidth] },
    ]);
  },
};
