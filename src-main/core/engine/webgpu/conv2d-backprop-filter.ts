import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu/dist/webgpu_program';
import { flatDispatch } from './dispatch';

/**
 * The filter gradient of a 2-D convolution on WebGPU, as one tiled matrix
 * product with the K dimension split across workgroups.
 *
 * dW[kh, kw, ci, co] = Σ_{b, oy, ox} x[b, oy·s + kh − pad, ox·s + kw − pad, ci] · dy[b, oy, ox, co]
 *
 * is C = A·B with A the im2col matrix of x, transposed (M = kh·kw·ci rows,
 * K = batch·outH·outW columns), B = dy as a K×N matrix (N = co). tfjs 4.22
 * computes it with one thread per weight, each summing all K products from
 * global memory: for VGG's 3×3×64→128 layer at 96 px and batch 64 that is
 * 74k threads doing 147k serial multiply-adds each, with every x and dy
 * value read once per weight that uses it.
 *
 * Here a workgroup of 16×16 threads computes a 64×64 tile of C, staging
 * 64×16 of A (gathered from x on the fly, so im2col is never materialised)
 * and 16×64 of B in workgroup memory: each value read from global memory
 * serves 64 products instead of one, and each thread keeps a 4×4 block in
 * registers (thin filters take 16×16 tiles; see TILES). The M×N grid of a
 * conv filter is small (a few to a few hundred tiles) while K is huge, so K
 * is split into S slices, one layer of workgroups each (dispatch z), enough
 * to fill the GPU; a second pass sums the S partial products.
 */

/**
 * Output tile sides: 64 (each thread a 4×4 block) where M and N fill it,
 * 16 (one value per thread) for thin filters, such as LeNet's 6 and 16
 * channels or a first layer's single input channel, where a 64×64 tile would
 * be mostly padding.
 */
const TILES = [64, 16] as const;
type Tile = (typeof TILES)[number];
const TILE_K = 16;
const THREADS = 16;
/** Below this share of useful outputs, the big tile gives way to the small one. */
const MIN_TILE_USE = 0.5;
/** Workgroups to aim for: enough to keep a desktop GPU's compute units busy. */
const TARGET_WORKGROUPS = 256;
/** A slice shorter than this spends more on its partial sum than on products. */
const MIN_K_PER_SLICE = 256;

export interface SplitK {
  tile: Tile;
  slices: number;
  kPerSlice: number;
}

/** The tile for an M×N product, and how to split K: S slices of kPerSlice (a multiple of TILE_K). */
export function planSplitK(m: number, n: number, k: number): SplitK {
  const use = (tile: number): number => (m * n) / (Math.ceil(m / tile) * Math.ceil(n / tile) * tile * tile);
  const tile = use(TILES[0]) >= MIN_TILE_USE ? TILES[0] : TILES[1];
  const tiles = Math.ceil(m / tile) * Math.ceil(n / tile);
  const wanted = Math.max(1, Math.ceil(TARGET_WORKGROUPS / tiles));
  const slices = Math.max(1, Math.min(wanted, Math.floor(k / MIN_K_PER_SLICE)));
  const kPerSlice = Math.ceil(k / slices / TILE_K) * TILE_K;
  return { tile, slices: Math.ceil(k / kPerSlice), kPerSlice };
}

class FilterGradPartialProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  uniforms =
    'M : i32, N : i32, K : i32, kPerSlice : i32, inHWC : vec3<i32>, outHW : vec2<i32>, ' +
    'filterW : i32, strides : vec2<i32>, pads : vec2<i32>,';
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  outputShape: number[];
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  shaderKey: string;

  constructor(
    m: number,
    n: number,
    slices: number,
    private readonly tile: Tile,
  ) {
    this.outputShape = [slices, m, n];
    this.dispatch = [Math.ceil(n / tile), Math.ceil(m / tile), slices];
    this.shaderKey = `vggwbFilterGradSplitK_${tile}_${TILE_K}`;
  }

  getUserCode(): string {
    const TILE = this.tile;
    const perThread = TILE / THREADS;
    const loads = (TILE * TILE_K) / (THREADS * THREADS);
    return `
      var<workgroup> tileA : array<f32, ${TILE * TILE_K}>;
      var<workgroup> tileB : array<f32, ${TILE * TILE_K}>;

      // A[m, k]: x at the input pixel that filter tap m meets at output position k; 0 in the padding.
      fn loadA(m : i32, k : i32, kEnd : i32) -> f32 {
        if (m >= uniforms.M || k >= kEnd) { return 0.0; }
        let ci = m % uniforms.inHWC.z;
        let tap = m / uniforms.inHWC.z;
        let kw = tap % uniforms.filterW;
        let kh = tap / uniforms.filterW;
        let ox = k % uniforms.outHW.y;
        let rest = k / uniforms.outHW.y;
        let oy = rest % uniforms.outHW.x;
        let b = rest / uniforms.outHW.x;
        let iy = oy * uniforms.strides.x + kh - uniforms.pads.x;
        let ix = ox * uniforms.strides.y + kw - uniforms.pads.y;
        if (iy < 0 || iy >= uniforms.inHWC.x || ix < 0 || ix >= uniforms.inHWC.y) { return 0.0; }
        return x[((b * uniforms.inHWC.x + iy) * uniforms.inHWC.y + ix) * uniforms.inHWC.z + ci];
      }

      fn loadB(k : i32, n : i32, kEnd : i32) -> f32 {
        if (n >= uniforms.N || k >= kEnd) { return 0.0; }
        return dy[k * uniforms.N + n];
      }

      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let li = i32(localIndex);
        let nBase = i32(workgroupId.x) * ${TILE};
        let mBase = i32(workgroupId.y) * ${TILE};
        let slice = i32(workgroupId.z);
        let kStart = slice * uniforms.kPerSlice;
        let kEnd = min(kStart + uniforms.kPerSlice, uniforms.K);

        var acc : array<array<f32, ${perThread}>, ${perThread}>;
        // The trip count must come from uniforms alone: workgroupBarrier needs uniform
        // control flow, and WGSL's analysis takes workgroupId (read through a private
        // variable) for non-uniform. The last slice's extra steps load zeros.
        for (var t = 0; t < uniforms.kPerSlice; t = t + ${TILE_K}) {
          let k0 = kStart + t;
          for (var j = 0; j < ${loads}; j = j + 1) {
            let e = li + j * ${THREADS * THREADS};
            let col = e % ${TILE};
            let kk = e / ${TILE};
            tileA[e] = loadA(mBase + col, k0 + kk, kEnd);
            tileB[e] = loadB(k0 + kk, nBase + col, kEnd);
          }
          workgroupBarrier();
          for (var kk = 0; kk < ${TILE_K}; kk = kk + 1) {
            var a : array<f32, ${perThread}>;
            var bv : array<f32, ${perThread}>;
            for (var i = 0; i < ${perThread}; i = i + 1) {
              a[i] = tileA[kk * ${TILE} + ty * ${perThread} + i];
              bv[i] = tileB[kk * ${TILE} + tx * ${perThread} + i];
            }
            for (var i = 0; i < ${perThread}; i = i + 1) {
              for (var j = 0; j < ${perThread}; j = j + 1) {
                acc[i][j] = acc[i][j] + a[i] * bv[j];
              }
            }
          }
          workgroupBarrier();
        }

        for (var i = 0; i < ${perThread}; i = i + 1) {
          let m = mBase + ty * ${perThread} + i;
          for (var j = 0; j < ${perThread}; j = j + 1) {
            let n = nBase + tx * ${perThread} + j;
            if (m < uniforms.M && n < uniforms.N) {
              result[(slice * uniforms.M + m) * uniforms.N + n] = acc[i][j];
            }
          }
        }
      }
    `;
  }
}

/** Sums the S partial products of FilterGradPartialProgram into the filter's shape. */
class SumSlicesProgram implements WebGPUProgram {
  variableNames = ['partial'];
  uniforms = 'slices : i32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey = 'vggwbSumSlices';

  constructor(filterShape: number[]) {
    this.outputShape = filterShape;
    this.dispatchLayout = { x: filterShape.map((_, i) => i) };
    const count = filterShape.reduce((a, b) => a * b, 1);
    this.dispatch = flatDispatch(count, this.workgroupSize[0]);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var sum = 0.0;
          for (var s = 0; s < uniforms.slices; s = s + 1) {
            sum = sum + partial[s * uniforms.size + index];
          }
          setOutputAtIndex(index, sum);
        }
      }
    `;
  }
}

export const conv2dBackpropFilterWebGpu: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const webgpu = backend as WebGPUBackend;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      tf.backend_util.convertConv2DDataFormat(dataFormat),
    );
    if (info.dataFormat !== 'channelsLast') {
      throw new Error('Conv2DBackpropFilter on webgpu: only NHWC is implemented (our models are all NHWC)');
    }
    const m = info.filterHeight * info.filterWidth * info.inChannels;
    const n = info.outChannels;
    const k = info.batchSize * info.outHeight * info.outWidth;
    const { tile, slices, kPerSlice } = planSplitK(m, n, k);
    const partial = webgpu.runWebGPUProgram(new FilterGradPartialProgram(m, n, slices, tile), [x, dy], 'float32', [
      { type: 'int32', data: [m] },
      { type: 'int32', data: [n] },
      { type: 'int32', data: [k] },
      { type: 'int32', data: [kPerSlice] },
      { type: 'int32', data: [info.inHeight, info.inWidth, info.inChannels] },
      { type: 'int32', data: [info.outHeight, info.outWidth] },
      { type: 'int32', data: [info.filterWidth] },
      { type: 'int32', data: [info.strideHeight, info.strideWidth] },
      { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    ]);
    const filter = webgpu.runWebGPUProgram(new SumSlicesProgram(info.filterShape), [partial], 'float32', [
      { type: 'int32', data: [slices] },
    ]);
    webgpu.disposeData(partial.dataId);
    return filter;
  },
};
