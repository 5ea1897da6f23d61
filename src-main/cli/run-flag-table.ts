import type { z } from 'zod';
import type { runRequestSchema } from '../api/methods';
import { PRESET_IDS } from '../shared/models/presets';
import { PLACEMENT_FIELDS } from '../shared/train/run-config';

/** A field of the run request (`runs.start`'s `config`): the schema's keys, nothing hand-listed. */
export type RunField = keyof typeof runRequestSchema.shape;
export type RunRequestConfig = z.input<typeof runRequestSchema>;

/**
 * Each field as the flag that sets it, with its help. The type makes the table
 * follow the schema: a new field does not compile until it has a flag here.
 * What the value is (a number, a choice, text) is read from the schema itself.
 */
export const FLAGS: Record<RunField, { flag: string; help: string }> = {
  model: { flag: '--model <name>', help: `network preset: ${PRESET_IDS.join(', ')}` },
  name: { flag: '--name <text>', help: 'a name for the run' },
  blocks: { flag: '--arch <blocks>', help: 'VGG blocks as CONVSxCHANNELS, e.g. 1x64,1x128,2x256,2x512,2x512' },
  widthRatio: { flag: '--width-ratio <n>', help: "divide every VGG block's channels by n (the book's ratio)" },
  denseUnits: { flag: '--dense <units>', help: 'width of the two hidden dense layers of a VGG (paper: 4096)' },
  resize: { flag: '--resize <side>', help: 'image side the 28×28 images are resized to (28, 32, 64, 96, 128, 224)' },
  epochs: { flag: '--epochs <n>', help: 'epochs to train' },
  batchSize: { flag: '--batch <n>', help: 'batch size' },
  lr: { flag: '--lr <rate>', help: 'SGD learning rate' },
  momentum: { flag: '--momentum <m>', help: 'SGD momentum (0 = plain SGD)' },
  seed: { flag: '--seed <n>', help: 'random seed for initialisation, shuffling and dropout' },
  trainLimit: { flag: '--train-limit <n>', help: 'train on the first N training images (file order)' },
  testLimit: { flag: '--test-limit <n>', help: 'evaluate on the first N test images' },
  engine: { flag: '--engine <engine>', help: 'engine: a TensorFlow.js backend, or pytorch (your own Python with torch)' },
  threads: { flag: '--threads <n>', help: 'CPU threads the wasm engine (its results do not change with them) or the pytorch engine on a CPU trains on (default: every core)' },
  device: { flag: '--device <device>', help: 'the pytorch engine\'s device: auto (cuda > mps > xpu > cpu), cpu, cuda, mps, xpu' },
  precision: { flag: '--precision <p>', help: 'the pytorch engine\'s precision: fp32 (default) or bf16 (autocast where the device supports it)' },
  initFrom: {
    flag: '--init-from <run>',
    help: "the paper's warm start: copy every layer of matching name and shape from that run's newest checkpoint",
  },
  layerStats: {
    flag: '--layer-stats <n|off>',
    help: "per-layer gradient and weight norms every n batches, or off (default: about 50 points per layer per epoch)",
  },
};

/** Request fields outside the config that the train command also sets (`runs.resume` takes epochs and where the run trains as its own). */
const REQUEST_FLAGS: Record<string, string> = {
  dataDir: '--data',
  epochs: '--epochs',
  memoryLimit: '--memory-limit',
  ...Object.fromEntries(PLACEMENT_FIELDS.map((field) => [field, FLAGS[field].flag.split(' ')[0]!])),
};

// The table's order, model first: the order of the help. Its keys are the schema's, by its type.
export const RUN_FIELDS = Object.keys(FLAGS) as RunField[];

/** The flag that sets a request field (`config.lr` → `--lr`, `config.blocks.0.convs` → `--arch`, `dataDir` → `--data`). */
export function flagForField(field: string): string | undefined {
  const [head, next] = field.split('.');
  if (head === 'config' && next !== undefined && next in FLAGS) return FLAGS[next as RunField].flag.split(' ')[0];
  return head === undefined ? undefined : REQUEST_FLAGS[head];
}
