import type { LayerSpec, VggBlock } from './layer-spec';
import { formatArch } from './parse-arch';
import { BOOK_DENSE_UNITS, vggLayers } from './vgg';
import { NUM_CLASSES } from '../data/fashion-mnist-facts';

/** The book's training recipe for a network: what the CLI and GUI fill in unless told otherwise. */
export interface TrainingRecipe {
  /** Side the 28×28 Fashion-MNIST images are resized to. */
  resize: number;
  batchSize: number;
  lr: number;
  epochs: number;
  /** VGG only: width of the two hidden dense layers. */
  denseUnits?: number;
  /** Where these numbers come from. */
  source: string;
}

interface PresetCommon {
  id: string;
  label: string;
  /** Where the architecture comes from (paper table / book chapter), in English. */
  source: string;
  /**
   * The source's own title where it is not English (the 2017 Chinese edition's chapter):
   * shown as the source line's tooltip, so a machine without CJK fonts never draws it as the line itself.
   */
  sourceOriginalTitle?: string;
  /** The book's training recipe, used as the defaults of a run. */
  defaults: TrainingRecipe;
}

/** A VGG is its blocks; the layers follow from `vggLayers`. */
export interface VggPreset extends PresetCommon {
  family: 'vgg';
  blocks: readonly VggBlock[];
}

/** A network written out layer by layer. Its last layer is the classifier, resized to `classes` by `resolveNetwork`. */
export interface FixedPreset extends PresetCommon {
  family: 'fixed';
  layers: readonly LayerSpec[];
  /**
   * Takes a width ratio (conv filters // ratio) and dense units (its hidden dense
   * layers), as a VGG does, so that it can be compared with a narrow VGG on a CPU.
   */
  scalable?: boolean;
}

export type NetworkPreset = VggPreset | FixedPreset;

/**
 * The VGG chapter's recipe (seed/vgg-chapter.txt): `load_data_fashion_mnist(batch_size=64, resize=96)`,
 * `'learning_rate': 0.05`, `num_epochs=1`, `init.Xavier()`; dense 4096 as in the chapter's `nn.Dense(4096)`.
 * The deeper configurations (the chapter's exercise) use the same recipe.
 */
const VGG_RECIPE: TrainingRecipe = {
  resize: 96,
  batchSize: 64,
  lr: 0.05,
  epochs: 1,
  denseUnits: BOOK_DENSE_UNITS,
  source: 'd2l-zh (2017) VGG chapter: batch 64, resize 96, lr 0.05, 1 epoch',
};

const VGG_SOURCE = 'Simonyan & Zisserman, arXiv:1409.1556, Table 1';

export const PRESETS: readonly NetworkPreset[] = [
  {
    id: 'vgg11',
    label: 'VGG-11 (config A)',
    family: 'vgg',
    blocks: [
      { convs: 1, channels: 64 },
      { convs: 1, channels: 128 },
      { convs: 2, channels: 256 },
      { convs: 2, channels: 512 },
      { convs: 2, channels: 512 },
    ],
    source: `${VGG_SOURCE}, column A; the chapter's architecture ((1,64),(1,128),(2,256),(2,512),(2,512))`,
    defaults: VGG_RECIPE,
  },
  {
    id: 'vgg13',
    label: 'VGG-13 (config B)',
    family: 'vgg',
    blocks: [
      { convs: 2, channels: 64 },
      { convs: 2, channels: 128 },
      { convs: 2, channels: 256 },
      { convs: 2, channels: 512 },
      { convs: 2, channels: 512 },
    ],
    source: `${VGG_SOURCE}, column B`,
    defaults: VGG_RECIPE,
  },
  {
    id: 'vgg16',
    label: 'VGG-16 (config D)',
    family: 'vgg',
    blocks: [
      { convs: 2, channels: 64 },
      { convs: 2, channels: 128 },
      { convs: 3, channels: 256 },
      { convs: 3, channels: 512 },
      { convs: 3, channels: 512 },
    ],
    source: `${VGG_SOURCE}, column D`,
    defaults: VGG_RECIPE,
  },
  {
    id: 'vgg19',
    label: 'VGG-19 (config E)',
    family: 'vgg',
    blocks: [
      { convs: 2, channels: 64 },
      { convs: 2, channels: 128 },
      { convs: 4, channels: 256 },
      { convs: 4, channels: 512 },
      { convs: 4, channels: 512 },
    ],
    source: `${VGG_SOURCE}, column E`,
    defaults: VGG_RECIPE,
  },
  {
    id: 'lenet',
    label: 'LeNet (book, 2017)',
    family: 'fixed',
    layers: [
      { kind: 'conv', filters: 20, kernel: 5, stride: 1, padding: 'valid', activation: 'relu' },
      { kind: 'maxpool', size: 2, stride: 2 },
      { kind: 'conv', filters: 50, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' },
      { kind: 'maxpool', size: 2, stride: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 128, activation: 'relu' },
      { kind: 'dense', units: 10, activation: 'linear' },
    ],
    source: 'd2l-zh (2017), the chapter "Convolutional neural networks with Gluon" (cnn-gluon)',
    sourceOriginalTitle: '卷积神经网络 --- 使用Gluon',
    // That chapter: batch_size = 256, 'learning_rate': 0.5, num_epochs=5, images at their own 28×28.
    defaults: {
      resize: 28,
      batchSize: 256,
      lr: 0.5,
      epochs: 5,
      source: 'd2l-zh (2017) cnn-gluon: batch 256, lr 0.5, 5 epochs, 28×28',
    },
  },
  {
    id: 'lenet5',
    label: 'LeNet-5 (classic, sigmoid)',
    family: 'fixed',
    layers: [
      // pad 2 turns 28×28 into the 32×32 LeCun et al. (1998) fed their first conv.
      { kind: 'conv', filters: 6, kernel: 5, stride: 1, padding: 'valid', pad: 2, activation: 'sigmoid' },
      { kind: 'avgpool', size: 2, stride: 2 },
      { kind: 'conv', filters: 16, kernel: 5, stride: 1, padding: 'valid', activation: 'sigmoid' },
      { kind: 'avgpool', size: 2, stride: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 120, activation: 'sigmoid' },
      { kind: 'dense', units: 84, activation: 'sigmoid' },
      { kind: 'dense', units: 10, activation: 'linear' },
    ],
    source: 'LeCun et al. 1998; d2l 2nd edition §7.6 "LeNet" (sigmoid, average pooling)',
    // d2l 2nd edition §7.6: batch_size = 256, lr, num_epochs = 0.9, 10. Sigmoid nets need the large lr.
    defaults: {
      resize: 28,
      batchSize: 256,
      lr: 0.9,
      epochs: 10,
      source: 'd2l 2nd edition LeNet: batch 256, lr 0.9, 10 epochs, 28×28',
    },
  },
  {
    id: 'alexnet',
    label: 'AlexNet (book)',
    family: 'fixed',
    layers: [
      { kind: 'conv', filters: 96, kernel: 11, stride: 4, padding: 'valid', activation: 'relu' },
      { kind: 'maxpool', size: 3, stride: 2 },
      // The book writes padding=2 for 5×5 and padding=1 for 3×3: at stride 1 that is exactly 'same'.
      { kind: 'conv', filters: 256, kernel: 5, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'maxpool', size: 3, stride: 2 },
      { kind: 'conv', filters: 384, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'conv', filters: 384, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'conv', filters: 256, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { kind: 'maxpool', size: 3, stride: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: BOOK_DENSE_UNITS, activation: 'relu' },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'dense', units: BOOK_DENSE_UNITS, activation: 'relu' },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'dense', units: 10, activation: 'linear' },
    ],
    source: 'Krizhevsky et al. 2012, single-GPU form as in the d2l AlexNet chapter (one input channel, 10 classes)',
    // Width ratio 1 and no dense units is the book's AlexNet; a ratio narrows it like the chapter's `channels // ratio`.
    scalable: true,
    // d2l 2nd edition AlexNet: batch_size = 128, resize=224, lr 0.01, num_epochs 10.
    defaults: {
      resize: 224,
      batchSize: 128,
      lr: 0.01,
      epochs: 10,
      source: 'd2l 2nd edition AlexNet: batch 128, resize 224, lr 0.01, 10 epochs',
    },
  },
];

export const PRESET_IDS: readonly string[] = PRESETS.map((p) => p.id);

/** The preset with this id, or an Error that lists the valid ones. */
export function findPreset(id: string): NetworkPreset {
  const preset = PRESETS.find((p) => p.id === id);
  if (preset === undefined) {
    throw new Error(`unknown model "${id}": choose one of ${PRESET_IDS.join(', ')}`);
  }
  return preset;
}

/** The parts of a run config that pick the network (a subset of RunConfig). */
export interface NetworkChoice {
  model: string;
  /** Replaces the preset's blocks; VGG-family models only. */
  blocks?: readonly VggBlock[];
  widthRatio?: number;
  denseUnits?: number;
}

export interface ResolvedNetwork {
  /** Readable and specific: `vgg11`, `vgg11 width/4`, `vgg11 [1x64,2x128]`. Used in summaries and errors. */
  name: string;
  layers: LayerSpec[];
}

/** A fixed network with its classifier resized to `classes`. */
function withClasses(preset: FixedPreset, classes: number): LayerSpec[] {
  const layers = [...preset.layers];
  const last = layers[layers.length - 1];
  if (last?.kind !== 'dense') throw new Error(`preset ${preset.id} must end with its dense classifier`);
  layers[layers.length - 1] = { ...last, units: classes };
  return layers;
}

/**
 * A scalable fixed network made narrower: conv filters `// ratio` (as a VGG's
 * channels), hidden dense layers `denseUnits` wide; the classifier keeps its classes.
 */
function scaleFixed(layers: LayerSpec[], ratio: number, denseUnits: number | undefined): LayerSpec[] {
  if (!Number.isInteger(ratio) || ratio < 1) throw new Error(`width ratio must be a whole number of at least 1 (got ${ratio})`);
  const last = layers.length - 1;
  return layers.map((layer, i) => {
    if (layer.kind === 'conv') {
      const filters = Math.floor(layer.filters / ratio);
      if (filters < 1) throw new Error(`width ratio ${ratio} leaves layer ${i + 1} with 0 filters (${layer.filters} // ${ratio})`);
      return { ...layer, filters };
    }
    if (layer.kind === 'dense' && i !== last && denseUnits !== undefined) return { ...layer, units: denseUnits };
    return layer;
  });
}

/**
 * Turns a run config's model choice into layers: the one place trainer, CLI and GUI
 * go from "vgg11, ratio 4" to a network.
 */
export function resolveNetwork(choice: NetworkChoice, classes = NUM_CLASSES): ResolvedNetwork {
  const preset = findPreset(choice.model);
  const widthRatio = choice.widthRatio ?? 1;

  if (preset.family === 'fixed') {
    // Silently ignoring these would train a different network from the one asked for.
    const refused = [
      choice.blocks !== undefined ? 'blocks (--arch)' : undefined,
      widthRatio !== 1 && preset.scalable !== true ? 'width ratio' : undefined,
      choice.denseUnits !== undefined && preset.scalable !== true ? 'dense units' : undefined,
    ].filter((x) => x !== undefined);
    if (refused.length > 0) {
      const vggIds = PRESETS.filter((p) => p.family === 'vgg').map((p) => p.id);
      const scalable = PRESETS.filter((p) => p.family === 'fixed' && p.scalable === true).map((p) => p.id);
      // Blocks are VGG-only; a width ratio and dense units are also taken by the scalable fixed networks.
      const takers = choice.blocks !== undefined ? vggIds : [...vggIds, ...scalable];
      const also = choice.blocks !== undefined ? '' : ` (${scalable.join(', ')} ${scalable.length === 1 ? 'takes' : 'take'} them too)`;
      throw new Error(
        `only VGG models take ${refused.join(', ')}; ${preset.id} is a fixed network${also}. Drop them or pick one of ${takers.join(', ')}`,
      );
    }
    const layers = withClasses(preset, classes);
    if (widthRatio === 1 && choice.denseUnits === undefined) return { name: preset.id, layers };
    let name = preset.id;
    if (widthRatio !== 1) name += ` width/${widthRatio}`;
    if (choice.denseUnits !== undefined) name += ` dense ${choice.denseUnits}`;
    return { name, layers: scaleFixed(layers, widthRatio, choice.denseUnits) };
  }

  const blocks = choice.blocks ?? preset.blocks;
  const layers = vggLayers(blocks, {
    classes,
    widthRatio,
    denseUnits: choice.denseUnits ?? preset.defaults.denseUnits,
  });
  let name = preset.id;
  if (choice.blocks !== undefined) name += ` [${formatArch(blocks)}]`;
  if (widthRatio !== 1) name += ` width/${widthRatio}`;
  if (choice.denseUnits !== undefined && choice.denseUnits !== preset.defaults.denseUnits) name += ` dense ${choice.denseUnits}`;
  return { name, layers };
}
