/**
 * A network is plain data: a list of layer specs. Builders (tfjs), the summary
 * (shapes, params, MACs) and the GUI's block editor all read the same list.
 */
export type Activation = 'relu' | 'sigmoid' | 'linear';

/**
 * Every layer may carry a readable name (`block1_conv1`). Unnamed layers get
 * one from `nameLayers` (`conv1`, `pool1`, `fc1`, ...), so the summary table and
 * the tfjs model always agree on what a layer is called.
 */
interface Named {
  name?: string;
}

export interface ConvSpec extends Named {
  kind: 'conv';
  filters: number;
  kernel: number;
  stride: number;
  /** 'same' keeps the side at stride 1 (the book's padding=1 for 3×3); 'valid' adds none. */
  padding: 'same' | 'valid';
  /** Explicit symmetric zero padding, used where 'same' is not what the source wrote (LeNet-5's pad 2 on 5×5). */
  pad?: number;
  activation: Activation;
}

export interface PoolSpec extends Named {
  kind: 'maxpool' | 'avgpool';
  size: number;
  stride: number;
}

export interface FlattenSpec extends Named {
  kind: 'flatten';
}

export interface DenseSpec extends Named {
  kind: 'dense';
  units: number;
  activation: Activation;
}

export interface DropoutSpec extends Named {
  kind: 'dropout';
  rate: number;
}

export type LayerSpec = ConvSpec | PoolSpec | FlattenSpec | DenseSpec | DropoutSpec;

/** One VGG block as the book writes it: `(num_convs, channels)`. */
export interface VggBlock {
  convs: number;
  channels: number;
}

/** Bounds a block must satisfy; `vggBlockSchema` in run-config is built from these. */
export const VGG_BLOCK_LIMITS = {
  convs: { min: 1, max: 8 },
  channels: { min: 1, max: 4096 },
  blocks: { min: 1, max: 12 },
} as const;

/** Height, width, channels: tfjs works in NHWC. */
export type InputShape = readonly [height: number, width: number, channels: number];
