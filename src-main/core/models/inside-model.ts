import * as tf from '@tensorflow/tfjs';

/**
 * What a trained network does with one image, as DIGITS showed it: the first
 * conv layer's filters as small pictures, the feature maps after each block
 * (its most active channels), and the class probabilities. Pictures are
 * 0-255 grey levels, each scaled to its own range so a weak map is still seen.
 */

/** Channels shown per block: the most active on this image. */
export const FEATURE_MAPS_PER_BLOCK = 16;
/** Filters shown of the first conv layer (VGG's has 64). */
export const FILTERS_SHOWN = 64;

export interface Picture {
  side: number;
  /** side × side grey levels, row by row. */
  pixels: number[];
}

export interface InsideView {
  filters: { layer: string; pictures: Picture[] };
  blocks: { layer: string; channels: { channel: number; mean: number; picture: Picture }[] }[];
  /** Softmax probabilities, one per class. */
  probabilities: number[];
}

/** Scales values to 0..255 over their own min and max (a constant map is mid-grey). */
function toGrey(values: ArrayLike<number>): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const span = max - min;
  return Array.from(values, (v) => (span > 0 && Number.isFinite(span) ? Math.round((255 * (v - min)) / span) : 128));
}

const isPool = (layer: tf.layers.Layer): boolean => /Pooling2D$/.test(layer.getClassName());
const isConv = (layer: tf.layers.Layer): boolean => layer.getClassName() === 'Conv2D' || layer.getClassName() === 'InputConv2D';

/** The first conv layer's kernels [k, k, 1, F] as F pictures of k × k (the first FILTERS_SHOWN). */
function firstFilters(model: tf.LayersModel): InsideView['filters'] {
  const conv = model.layers.find(isConv);
  if (!conv) return { layer: '', pictures: [] };
  const kernel = conv.getWeights()[0]!;
  const [kh, kw, channels, count] = kernel.shape as [number, number, number, number];
  const values = kernel.dataSync();
  const pictures: Picture[] = [];
  for (let f = 0; f < Math.min(count, FILTERS_SHOWN); f++) {
    const weights: number[] = [];
    // A grey image has one input channel; with more, their mean.
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += values[((y * kw + x) * channels + c) * count + f]!;
        weights.push(sum / channels);
      }
    }
    pictures.push({ side: kh, pixels: toGrey(weights) });
  }
  return { layer: conv.name, pictures };
}

/**
 * Runs one image ([side, side] grey levels 0..1) through the model: the
 * output of every pooling layer (the end of each block), its 16 most active
 * channels, and the softmax of the logits.
 */
export function lookInside(model: tf.LayersModel, image: Float32Array, side: number): InsideView {
  if (image.length !== side * side) throw new Error(`expected ${side}×${side} = ${side * side} pixels, got ${image.length}`);
  const pools = model.layers.filter(isPool);
  const probe = tf.model({ inputs: model.inputs, outputs: [...pools.map((l) => l.output as tf.SymbolicTensor), model.outputs[0]!] });
  const outputs = tf.tidy(() => {
    const xs = tf.tensor4d(image, [1, side, side, 1]);
    const results = probe.predict(xs) as tf.Tensor[];
    const logits = results.pop()!;
    return { maps: results.map((r) => tf.keep(r)), probabilities: tf.keep(tf.softmax(logits)) };
  });
  try {
    const blocks = pools.map((layer, i) => {
      const map = outputs.maps[i]!;
      const [, h, w, c] = map.shape as [number, number, number, number];
      const values = map.dataSync();
      const means = Array.from({ length: c }, (_, ch) => {
        let sum = 0;
        for (let p = 0; p < h * w; p++) sum += values[p * c + ch]!;
        return { channel: ch, mean: sum / (h * w) };
      });
      const top = [...means].sort((a, b) => b.mean - a.mean).slice(0, FEATURE_MAPS_PER_BLOCK);
      return {
        layer: layer.name,
        channels: top.map(({ channel, mean }) => {
          const plane = Array.from({ length: h * w }, (_, p) => values[p * c + channel]!);
          return { channel, mean, picture: { side: h, pixels: toGrey(plane) } };
        }),
      };
    });
    return { filters: firstFilters(model), blocks, probabilities: Array.from(outputs.probabilities.dataSync()) };
  } finally {
    tf.dispose([...outputs.maps, outputs.probabilities]);
  }
}

/** A 28×28 picture (0..255) as the network's input: scaled to 0..1 and resized as the trainer resizes. */
export function networkInput(pixels: ArrayLike<number>, from: number, side: number): Float32Array {
  return tf.tidy(() => {
    const image = tf.tensor4d(Float32Array.from(pixels, (p) => p / 255), [1, from, from, 1]);
    // As batches.ts resizes: bilinear at pixel centres.
    const sized = from === side ? image : tf.image.resizeBilinear(image, [side, side], false, true);
    return sized.dataSync() as Float32Array;
  });
}
