import { VGG_BLOCK_LIMITS, type LayerSpec, type VggBlock } from './layer-spec';

/** The book's dense width: the two hidden dense layers of the chapter's VGG, copied from AlexNet (the paper's 4096). */
export const BOOK_DENSE_UNITS = 4096;

export interface VggHeadOptions {
  /** Width of the last dense layer (10 for Fashion-MNIST, 1000 for ImageNet). */
  classes: number;
  /** Width of the two hidden dense layers; the paper's 4096. Not scaled by `widthRatio`: the caller sets it. */
  denseUnits?: number;
  /** The book's `channels // ratio` to make a narrower VGG that trains on a laptop. */
  widthRatio?: number;
}

/** Dropout between the dense layers: VGG paper §3.1 ("dropout ratio set to 0.5"), the chapter's `nn.Dropout(.5)`. */
const DENSE_DROPOUT = 0.5;

/**
 * The book's narrow VGG: every block keeps its conv count and divides its
 * channels by `ratio` (integer division, as `channels // ratio` in the chapter's
 * later edition). A block left with no channel is an error, not a silent 1.
 */
export function scaleBlocks(blocks: readonly VggBlock[], ratio: number): VggBlock[] {
  if (!Number.isInteger(ratio) || ratio < 1) {
    throw new Error(`width ratio must be a whole number of at least 1 (got ${ratio})`);
  }
  return blocks.map((block, i) => {
    const channels = Math.floor(block.channels / ratio);
    if (channels < 1) {
      const narrowest = Math.min(...blocks.map((b) => b.channels));
      throw new Error(
        `width ratio ${ratio} leaves block ${i + 1} with 0 channels (${block.channels} // ${ratio}): use a ratio of at most ${narrowest}`,
      );
    }
    return { convs: block.convs, channels };
  });
}

function checkBlocks(blocks: readonly VggBlock[]): void {
  const { convs, channels, blocks: count } = VGG_BLOCK_LIMITS;
  if (blocks.length < count.min || blocks.length > count.max) {
    throw new Error(`a VGG needs ${count.min} to ${count.max} blocks (got ${blocks.length})`);
  }
  blocks.forEach((block, i) => {
    if (!Number.isInteger(block.convs) || block.convs < convs.min || block.convs > convs.max) {
      throw new Error(`block ${i + 1}: convs must be a whole number from ${convs.min} to ${convs.max} (got ${block.convs})`);
    }
    if (!Number.isInteger(block.channels) || block.channels < channels.min || block.channels > channels.max) {
      throw new Error(
        `block ${i + 1}: channels must be a whole number from ${channels.min} to ${channels.max} (got ${block.channels})`,
      );
    }
  });
}

/**
 * The chapter's `vgg_block(num_convs, channels)`: `convs` 3×3 convolutions with
 * padding 1 ('same') and ReLU, then a 2×2 max-pool with stride 2 that halves the side.
 * Names are `block<n>_conv<i>` and `block<n>_pool`.
 */
export function vggBlock(block: VggBlock, blockNumber: number): LayerSpec[] {
  const layers: LayerSpec[] = [];
  for (let c = 1; c <= block.convs; c++) {
    layers.push({
      kind: 'conv',
      name: `block${blockNumber}_conv${c}`,
      filters: block.channels,
      kernel: 3,
      stride: 1,
      padding: 'same',
      activation: 'relu',
    });
  }
  layers.push({ kind: 'maxpool', name: `block${blockNumber}_pool`, size: 2, stride: 2 });
  return layers;
}

/**
 * A VGG as layer specs, from any list of `(num_convs, channels)` blocks: the
 * chapter's `vgg_stack` of `vggBlock`s (paper Table 1 lists the standard lists).
 * Then the classifier the chapter copies from AlexNet: Flatten, Dense 4096 +
 * ReLU, Dropout 0.5, Dense 4096 + ReLU, Dropout 0.5, Dense `classes` (logits;
 * the softmax lives in the loss, as in the chapter's SoftmaxCrossEntropyLoss).
 */
export function vggLayers(blocks: readonly VggBlock[], options: VggHeadOptions): LayerSpec[] {
  const { classes, denseUnits = BOOK_DENSE_UNITS, widthRatio = 1 } = options;
  checkBlocks(blocks);
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`classes must be a whole number of at least 1 (got ${classes})`);
  if (!Number.isInteger(denseUnits) || denseUnits < 1) {
    throw new Error(`dense units must be a whole number of at least 1 (got ${denseUnits})`);
  }

  const layers = scaleBlocks(blocks, widthRatio).flatMap((block, i) => vggBlock(block, i + 1));
  layers.push(
    { kind: 'flatten', name: 'flatten' },
    { kind: 'dense', name: 'fc1', units: denseUnits, activation: 'relu' },
    { kind: 'dropout', name: 'dropout1', rate: DENSE_DROPOUT },
    { kind: 'dense', name: 'fc2', units: denseUnits, activation: 'relu' },
    { kind: 'dropout', name: 'dropout2', rate: DENSE_DROPOUT },
    { kind: 'dense', name: 'fc3', units: classes, activation: 'linear' },
  );
  return layers;
}
