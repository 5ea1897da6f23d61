import { z } from 'zod';
import { FASHION_MNIST_SPLIT_SIZES } from '../data/fashion-mnist-facts';
import { VGG_BLOCK_LIMITS as LIMITS } from '../models/layer-spec';
import { MODEL_NAME_MAX_LENGTH } from '../runs/run-limits';
import { layerStatsSettingSchema } from './layer-stats';

/**
 * Engines in the order auto-selection tries them. `pytorch` (the user's own
 * PyTorch, core/engine/pytorch/) comes last: auto takes it only where it was
 * measured faster than the engine it would take otherwise (docs/engines.md).
 */
export const ENGINE_IDS = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu', 'pytorch'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];
export const engineChoiceSchema = z.enum(['auto', ...ENGINE_IDS]);
export type EngineChoice = z.infer<typeof engineChoiceSchema>;

/** Devices the pytorch engine trains on; `auto`: the best torch sees, cuda > mps > xpu > cpu. */
export const TORCH_DEVICES = ['auto', 'cpu', 'cuda', 'mps', 'xpu'] as const;
export const torchDeviceSchema = z.enum(TORCH_DEVICES);
export type TorchDevice = z.infer<typeof torchDeviceSchema>;
/** Arithmetic of the pytorch engine's training step: float32, or bfloat16 autocast where the device supports it. */
export const PRECISIONS = ['fp32', 'bf16'] as const;
export const precisionSchema = z.enum(PRECISIONS);
export type Precision = z.infer<typeof precisionSchema>;

/** Image sides the workbench offers; any side >= the model's minimum works in code. */
export const RESIZE_OPTIONS = [28, 32, 64, 96, 128, 224] as const;

export const vggBlockSchema = z.object({
  convs: z.number().int().min(LIMITS.convs.min).max(LIMITS.convs.max),
  channels: z.number().int().min(LIMITS.channels.min).max(LIMITS.channels.max),
});

/**
 * Bounds of a run's numeric fields: the schema below enforces them, and the
 * GUI's number fields take them as min and max (one place to change).
 */
export const RUN_FIELD_LIMITS = {
  widthRatio: { min: 1, max: 64 },
  denseUnits: { min: 1, max: 16384 },
  resize: { min: 8, max: 512 },
  epochs: { min: 1, max: 1000 },
  batchSize: { min: 1, max: 4096 },
  /** Above 0: the schema refuses 0 itself. */
  lr: { min: 0, max: 10 },
  momentum: { min: 0, max: 0.999 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  trainLimit: { min: 1, max: FASHION_MNIST_SPLIT_SIZES.train },
  testLimit: { min: 1, max: FASHION_MNIST_SPLIT_SIZES.test },
  /** CPU threads; engines cap it at what they can use (wasm: 8) and record what ran. */
  threads: { min: 1, max: 256 },
} as const;
const L = RUN_FIELD_LIMITS;

/**
 * Everything that defines a run. Validated wherever it crosses a boundary
 * (API request, worker message) and stored with the run. It holds no path of
 * this machine: where the dataset lies is a parameter of queueing a run, so a
 * stored or exported config means the same on any machine. Unknown keys are
 * dropped on parse, so configs stored with the old `dataDir` still read.
 */
export const runConfigSchema = z.object({
  name: z.string().max(200).optional(),
  model: z.string().min(1).max(MODEL_NAME_MAX_LENGTH),
  /** Overrides the preset's blocks (VGG-style models only). */
  blocks: z.array(vggBlockSchema).min(LIMITS.blocks.min).max(LIMITS.blocks.max).optional(),
  widthRatio: z.number().int().min(L.widthRatio.min).max(L.widthRatio.max).default(1),
  /** Width of the two hidden dense layers of a VGG (the paper's 4096). */
  denseUnits: z.number().int().min(L.denseUnits.min).max(L.denseUnits.max).optional(),
  resize: z.number().int().min(L.resize.min).max(L.resize.max),
  epochs: z.number().int().min(L.epochs.min).max(L.epochs.max),
  batchSize: z.number().int().min(L.batchSize.min).max(L.batchSize.max),
  lr: z.number().positive().max(L.lr.max),
  momentum: z.number().min(L.momentum.min).max(L.momentum.max).default(0),
  seed: z.number().int().min(L.seed.min).max(L.seed.max).default(0),
  trainLimit: z.number().int().min(L.trainLimit.min).max(L.trainLimit.max).optional(),
  testLimit: z.number().int().min(L.testLimit.min).max(L.testLimit.max).optional(),
  engine: engineChoiceSchema.default('auto'),
  /** CPU threads to train on (the wasm engine's); absent: every core. The engine info records what ran. */
  threads: z.number().int().min(L.threads.min).max(L.threads.max).optional(),
  /** The pytorch engine's device; absent: auto. Other engines refuse it (core/train/run-engine.ts). */
  device: torchDeviceSchema.optional(),
  /** The pytorch engine's precision; absent: fp32. Other engines train in fp32 and refuse bf16. */
  precision: precisionSchema.optional(),
  /**
   * The paper's warm start: the id of a recorded run whose newest checkpoint
   * seeds every layer of this network with the same name and shape. Inside one
   * `runs.startQueue` request, `#N` names the queue's N-th run (an earlier one).
   */
  initFrom: z.string().min(1).max(100).optional(),
  /** Per-layer statistics every N batches, or 'off'; absent: about 50 points per layer per epoch (layer-stats.ts). */
  layerStats: layerStatsSettingSchema.optional(),
});
export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

/**
 * Where a run trains, not what it trains: the engine and how it runs there.
 * A resumed run may change these (and its epochs, how long it trains) and
 * nothing else, since checkpoints are one format for every engine
 * (docs/engines.md). Absent: the run's own. `engine` has no default here,
 * unlike in the config, so "not given" stays distinguishable from "auto".
 */
export const runPlacementSchema = z.object({
  engine: engineChoiceSchema.optional(),
  device: runConfigSchema.shape.device,
  precision: runConfigSchema.shape.precision,
  threads: runConfigSchema.shape.threads,
});
export type RunPlacement = z.infer<typeof runPlacementSchema>;
export type PlacementField = keyof RunPlacement;
export const PLACEMENT_FIELDS = Object.keys(runPlacementSchema.shape) as PlacementField[];
/** What a resume may change of a run's config: how long it trains, and where. */
export const RESUMABLE_FIELDS: readonly (keyof RunConfig)[] = ['epochs', ...PLACEMENT_FIELDS];
