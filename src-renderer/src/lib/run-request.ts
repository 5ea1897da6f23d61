import type { PresetInfo } from '../../../src-main/api/entities';
import type { ApiRequest } from '../../../src-main/api/methods';
import type { VggBlock } from '../../../src-main/shared/models/layer-spec';
import { BOOK_DENSE_UNITS } from '../../../src-main/shared/models/vgg';
import type { EngineChoice, Precision, RunConfig, TorchDevice } from '../../../src-main/shared/train/run-config';

export type StartRunRequest = ApiRequest<'runs.start'>;
export type SummaryRequest = ApiRequest<'models.summary'>;

/** What the Launch form holds: a whole run, every field explicit. */
export interface LaunchForm {
  model: string;
  /** The VGG's blocks as edited (a fixed network ignores them). */
  blocks: VggBlock[];
  widthRatio: number;
  denseUnits: number;
  resize: number;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  seed: number;
  engine: EngineChoice;
  /** null: the whole split. */
  trainLimit: number | null;
  testLimit: number | null;
  name: string;
  /** Comma separated. */
  tags: string;
  baseline: boolean;
  /** The paper's warm start: a recorded run whose checkpoint seeds the layers of matching name and shape; '' for fresh weights. */
  initFrom: string;
  /** Per-layer statistics every N batches, 'off', or null for the default (about 50 points per layer per epoch). */
  layerStats: number | 'off' | null;
  /** The pytorch engine's device and precision; sent only with that engine (the tfjs engines refuse them). */
  device: TorchDevice;
  precision: Precision;
}

/** The book's recipe for a preset: what the form resets to when the model changes. */
export function recipeFields(preset: PresetInfo): Pick<LaunchForm, 'resize' | 'batchSize' | 'lr' | 'epochs' | 'denseUnits' | 'blocks' | 'widthRatio'> {
  return {
    resize: preset.defaults.resize,
    batchSize: preset.defaults.batchSize,
    lr: preset.defaults.lr,
    epochs: preset.defaults.epochs,
    denseUnits: preset.defaults.denseUnits ?? BOOK_DENSE_UNITS,
    blocks: preset.family === 'vgg' ? preset.blocks.map((b) => ({ ...b })) : [],
    widthRatio: 1,
  };
}

/** A recorded run's config as the form: every field explicit, the VGG's blocks from the preset when not changed. */
export function formFromConfig(config: RunConfig, preset: PresetInfo | undefined): LaunchForm {
  // The fields the form holds as the config does; the rest are filled in or left blank.
  const { model, widthRatio, resize, epochs, batchSize, lr, momentum, seed, engine } = config;
  return {
    ...{ model, widthRatio, resize, epochs, batchSize, lr, momentum, seed, engine },
    blocks: (config.blocks ?? (preset?.family === 'vgg' ? preset.blocks : [])).map((b) => ({ ...b })),
    denseUnits: config.denseUnits ?? preset?.defaults.denseUnits ?? BOOK_DENSE_UNITS,
    trainLimit: config.trainLimit ?? null,
    testLimit: config.testLimit ?? null,
    name: '',
    tags: '',
    baseline: false,
    initFrom: config.initFrom ?? '',
    layerStats: config.layerStats ?? null,
    device: config.device ?? 'auto',
    precision: config.precision ?? 'fp32',
  };
}

function sameBlocks(a: readonly VggBlock[], b: readonly VggBlock[]): boolean {
  return a.length === b.length && a.every((block, i) => block.convs === b[i]?.convs && block.channels === b[i]?.channels);
}

/**
 * The network part of a request: only what a VGG may change, and only where
 * it differs from the preset, so an unedited VGG-11 is recorded as `vgg11`
 * and not as a custom architecture.
 */
function networkFields(form: LaunchForm, preset: PresetInfo | undefined) {
  if (preset?.family !== 'vgg') return {};
  return {
    ...(sameBlocks(form.blocks, preset.blocks) ? {} : { blocks: form.blocks.map((b) => ({ ...b })) }),
    ...(form.widthRatio !== 1 ? { widthRatio: form.widthRatio } : {}),
    ...(form.denseUnits !== preset.defaults.denseUnits ? { denseUnits: form.denseUnits } : {}),
  };
}

export function toStartRequest(form: LaunchForm, preset: PresetInfo | undefined): StartRunRequest {
  const tags = form.tags
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return {
    config: {
      model: form.model,
      ...networkFields(form, preset),
      resize: form.resize,
      epochs: form.epochs,
      batchSize: form.batchSize,
      lr: form.lr,
      momentum: form.momentum,
      seed: form.seed,
      engine: form.engine,
      ...(form.trainLimit !== null ? { trainLimit: form.trainLimit } : {}),
      ...(form.testLimit !== null ? { testLimit: form.testLimit } : {}),
      ...(form.name.trim() !== '' ? { name: form.name.trim() } : {}),
      ...(form.initFrom !== '' ? { initFrom: form.initFrom } : {}),
      ...(form.layerStats !== null ? { layerStats: form.layerStats } : {}),
      ...(form.engine === 'pytorch' && form.device !== 'auto' ? { device: form.device } : {}),
      ...(form.engine === 'pytorch' && form.precision !== 'fp32' ? { precision: form.precision } : {}),
    },
    ...(tags.length > 0 ? { tags } : {}),
    ...(form.baseline ? { baseline: true } : {}),
  };
}

export function toSummaryRequest(form: LaunchForm, preset: PresetInfo | undefined): SummaryRequest {
  return { model: form.model, ...networkFields(form, preset), resize: form.resize, batchSize: form.batchSize };
}

/** A short line for a queued draft: "vgg11 [1x64,...] · 96 px · 1 epoch · batch 64". */
export function describeRequest(request: StartRunRequest): string {
  const c = request.config;
  const parts = [c.name ?? c.model];
  if (c.blocks) parts.push(`[${c.blocks.map((b) => `${b.convs}x${b.channels}`).join(',')}]`);
  if (c.widthRatio !== undefined && c.widthRatio !== 1) parts.push(`width/${c.widthRatio}`);
  if (c.resize !== undefined) parts.push(`${c.resize} px`);
  if (c.epochs !== undefined) parts.push(`${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`);
  if (c.batchSize !== undefined) parts.push(`batch ${c.batchSize}`);
  if (c.trainLimit !== undefined) parts.push(`${c.trainLimit} train images`);
  return parts.join(' · ');
}
