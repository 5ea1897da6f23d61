import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../../shared/models/layer-spec';

export interface InputConv2DConfig {
  name: string;
  filters: number;
  kernelSize: number;
  strides: number;
  padding: 'same' | 'valid';
  /** Zeros on every side before a 'valid' convolution (LeNet-5's pad 2), folded into the conv instead of a PadV2. */
  /** Null when read back from a saved topology: tfjs's serialisation turns an absent pad into null. */
  pad?: number | null;
  activation: Activation;
  /** Seed of the Glorot-uniform kernel initialiser (kept in the config so a saved model rebuilds it). */
  seed: number;
  /** Set on the first layer of a model: [height, width, channels]. */
  inputShape?: number[];
}

const ACTIVATIONS: Record<Activation, (x: tf.Tensor) => tf.Tensor> = {
  relu: (x) => tf.relu(x),
  sigmoid: (x) => tf.sigmoid(x),
  linear: (x) => x,
};

/**
 * The first convolution of a network, computed unfused. tfjs's fused conv
 * (what tf.layers.conv2d uses) takes its gradient through customGrad, which
 * computes the gradient for the input image too; nothing needs that one, and
 * on LeNet-5 it was 28% of a training step on the wasm engine. Unfused, the
 * tape asks conv2d only for the filter's gradient. An explicit pad is passed
 * to the conv itself rather than run as a separate PadV2 on every batch. Same weights, names
 * (`<name>/kernel`, `<name>/bias`), shapes and results as tf.layers.conv2d.
 */
export class InputConv2D extends tf.layers.Layer {
  static className = 'InputConv2D';
  private kernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(private readonly config: InputConv2DConfig) {
    super(config);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (channels == null) throw new Error(`${this.name}: the input's channel count must be known`);
    const { kernelSize: k, filters, seed } = this.config;
    this.kernel = this.addWeight('kernel', [k, k, channels, filters], 'float32', tf.initializers.glorotUniform({ seed }));
    this.bias = this.addWeight('bias', [filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, height, width] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const { kernelSize: k, strides: s, padding, filters } = this.config;
    const pad = this.config.pad ?? 0;
    const side = (n: number | null): number | null =>
      n == null ? null : padding === 'same' ? Math.ceil(n / s) : Math.floor((n + 2 * pad - k) / s) + 1;
    return [batch ?? null, side(height ?? null), side(width ?? null), filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const { strides, activation } = this.config;
      const y = tf.conv2d(x, this.kernel!.read() as tf.Tensor4D, strides, this.convPadding());
      return ACTIVATIONS[activation](tf.add(y, this.bias!.read()));
    });
  }

  private convPadding(): 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
    const { padding } = this.config;
    const pad = this.config.pad ?? 0;
    if (pad === 0) return padding;
    if (padding === 'same') throw new Error(`${this.name}: an explicit pad goes with 'valid' padding`);
    return [[0, 0], [pad, pad], [pad, pad], [0, 0]];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { name: _name, inputShape: _inputShape, ...own } = this.config;
    return { ...super.getConfig(), ...own };
  }
}

tf.serialization.registerClass(InputConv2D);
