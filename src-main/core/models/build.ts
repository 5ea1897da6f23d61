import * as tf from '@tensorflow/tfjs';
import type { InputShape, LayerSpec } from '../../shared/models/layer-spec';
import { nameLayers } from '../../shared/models/layer-names';
import { summarizeNetwork } from '../../shared/models/summary';
import { InputConv2D } from './input-conv2d';

export interface BuildOptions {
  /** The run's seed: every conv and dense kernel is drawn from it, so a run can be repeated. */
  seed: number;
  /** Used in the error for an input that is too small, e.g. "vgg11". */
  name?: string;
}

/**
 * A different seed per layer: with one seed, two layers of the same kernel
 * shape (block3_conv1 and block3_conv2 of a VGG-16) would start as copies.
 */
function layerSeed(runSeed: number, layerIndex: number): number {
  return runSeed * 1009 + layerIndex + 1;
}

/**
 * Glorot (Xavier) uniform, the chapter's `init.Xavier()` (MXNet's default Xavier is
 * uniform over fan average with magnitude 3, i.e. Glorot & Bengio 2010's uniform).
 */
function kernelInit(runSeed: number, layerIndex: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: layerSeed(runSeed, layerIndex) });
}

/** The tfjs layers for one spec; an explicit `pad` becomes its own zero-padding layer named `<name>_pad`. */
function tfLayers(spec: LayerSpec, name: string, index: number, seed: number, isFirstWeighted: boolean): tf.layers.Layer[] {
  switch (spec.kind) {
    case 'conv': {
      const conv = isFirstWeighted
        ? new InputConv2D({
            name,
            filters: spec.filters,
            kernelSize: spec.kernel,
            strides: spec.stride,
            padding: spec.padding,
            pad: spec.pad,
            activation: spec.activation,
            seed: layerSeed(seed, index),
          })
        : tf.layers.conv2d({
        name,
        filters: spec.filters,
        kernelSize: spec.kernel,
        strides: spec.stride,
        padding: spec.padding,
        activation: spec.activation,
        kernelInitializer: kernelInit(seed, index),
        biasInitializer: 'zeros',
      });
      const pad = isFirstWeighted ? 0 : (spec.pad ?? 0);
      return pad > 0 ? [tf.layers.zeroPadding2d({ name: `${name}_pad`, padding: pad }), conv] : [conv];
    }
    case 'maxpool':
      return [tf.layers.maxPooling2d({ name, poolSize: spec.size, strides: spec.stride, padding: 'valid' })];
    case 'avgpool':
      return [tf.layers.averagePooling2d({ name, poolSize: spec.size, strides: spec.stride, padding: 'valid' })];
    case 'flatten':
      return [tf.layers.flatten({ name })];
    case 'dense':
      return [
        tf.layers.dense({
          name,
          units: spec.units,
          activation: spec.activation,
          kernelInitializer: kernelInit(seed, index),
          biasInitializer: 'zeros',
        }),
      ];
    case 'dropout':
      // No seed on purpose: tfjs re-seeds its random op on every call, so a seeded
      // dropout would drop the same units at every step. Dropout acts only when
      // the model is called with `training: true` (fit / trainOnBatch), never in predict.
      return [tf.layers.dropout({ name, rate: spec.rate })];
  }
}

/**
 * A tfjs Sequential model for a layer list, in NHWC. Layer names match the
 * summary's rows. The input size is checked first by `summarizeNetwork`, so a too-small
 * image gets the summary's explanation instead of a tfjs shape error.
 */
export function buildModel(layers: readonly LayerSpec[], inputShape: InputShape, options: BuildOptions): tf.Sequential {
  const { seed, name } = options;
  summarizeNetwork(layers, inputShape, name === undefined ? {} : { name });
  const names = nameLayers(layers);
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ name: 'input', inputShape: [...inputShape] }));
  // Only the first weighted layer's input is the image, whose gradient nobody needs.
  const firstWeighted = layers.findIndex((spec) => spec.kind === 'conv' || spec.kind === 'dense');
  layers.forEach((spec, i) => {
    for (const layer of tfLayers(spec, names[i] ?? `layer${i + 1}`, i, seed, i === firstWeighted)) model.add(layer);
  });
  return model;
}
