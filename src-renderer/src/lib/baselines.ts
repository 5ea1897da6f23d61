import type { PresetInfo } from '../../../src-main/api/entities';
import type { RunRecord } from '../../../src-main/shared/runs/run-entities';
import type { StartRunRequest } from './run-request';

/** The book's reference networks every comparison is drawn against. */
export const BASELINE_MODELS = ['lenet', 'alexnet'] as const;

/**
 * What makes two runs' numbers comparable: the same images (side, subset
 * sizes, shuffle seed). A baseline trains at the compared side, or at the
 * smallest side it accepts when that is larger (AlexNet needs 67 px).
 */
export interface DataSettings {
  resize: number;
  trainLimit: number | null;
  testLimit: number | null;
  seed: number;
}

export function dataSettingsOf(run: RunRecord): DataSettings {
  return {
    resize: run.config.resize,
    trainLimit: run.config.trainLimit ?? null,
    testLimit: run.config.testLimit ?? null,
    seed: run.config.seed,
  };
}

/** Whether two runs saw the same images: same side, subsets and shuffle seed. */
export function sameImages(a: DataSettings, b: DataSettings): boolean {
  return a.resize === b.resize && a.trainLimit === b.trainLimit && a.testLimit === b.testLimit && a.seed === b.seed;
}

export function baselineSide(settings: DataSettings, preset: PresetInfo | undefined): number {
  return Math.max(settings.resize, preset?.minimumSide ?? 1);
}

const USABLE: readonly RunRecord['status'][] = ['completed', 'running', 'queued'];

/** Whether `run` saw the images a baseline of `model` trains on for these settings. */
function onBaselineImages(run: RunRecord, model: string, settings: DataSettings, preset: PresetInfo | undefined): boolean {
  return run.model === model && sameImages(dataSettingsOf(run), { ...settings, resize: baselineSide(settings, preset) }) && USABLE.includes(run.status);
}

/** Whether `run` is a recorded baseline of `model` for these data settings (not failed or cancelled). */
export function isBaselineFor(run: RunRecord, model: string, settings: DataSettings, preset: PresetInfo | undefined): boolean {
  return run.baseline && onBaselineImages(run, model, settings, preset);
}

/**
 * Whether `run` is what "Run baselines" would train for `model`: the same
 * network on the same images, trained with the same recipe. A compared LeNet
 * that matches is the LeNet baseline, whether or not it was launched as one.
 */
export function matchesBaselineRecipe(
  run: RunRecord,
  model: string,
  settings: DataSettings,
  training: TrainingSettings,
  preset: PresetInfo | undefined,
): boolean {
  const c = run.config;
  return (
    onBaselineImages(run, model, settings, preset) &&
    c.epochs === training.epochs &&
    c.batchSize === training.batchSize &&
    c.lr === training.lr &&
    c.momentum === training.momentum
  );
}

/** Where a pinned baseline comes from: one of the compared runs, or a run recorded as a baseline. */
export interface PinnedBaseline {
  model: string;
  run: RunRecord | null;
  /** True when `run` is one of the compared runs, matching the baseline recipe. */
  compared: boolean;
}

/**
 * The baseline run to pin for each model: a compared run that matches the
 * baseline recipe, else the newest completed recorded baseline, else one still training.
 */
export function pickBaselines(
  runs: readonly RunRecord[],
  settings: DataSettings,
  presets: (id: string) => PresetInfo | undefined,
  compared: { runs: readonly RunRecord[]; training: TrainingSettings } | null = null,
): PinnedBaseline[] {
  const training = compared?.training;
  return BASELINE_MODELS.map((model) => {
    const own = training && compared.runs.find((run) => matchesBaselineRecipe(run, model, settings, training, presets(model)));
    if (own) return { model, run: own, compared: true };
    const candidates = runs.filter((run) => isBaselineFor(run, model, settings, presets(model)));
    const completed = candidates.filter((run) => run.status === 'completed');
    const pick = [...(completed.length > 0 ? completed : candidates)].sort((a, b) => b.createdAt - a.createdAt)[0];
    return { model, run: pick ?? null, compared: false };
  });
}

/**
 * How the compared runs trained. Baselines train the same way, so the
 * comparison differs only in the network: each preset's own recipe was tuned
 * for its own image size (LeNet's lr 0.5 diverges at 96 px).
 */
export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  engine: RunRecord['config']['engine'];
}

export function trainingSettingsOf(run: RunRecord, epochs: number = run.config.epochs): TrainingSettings {
  const { batchSize, lr, momentum, engine } = run.config;
  return { epochs, batchSize, lr, momentum, engine };
}

/** Requests for the missing baselines: on the compared runs' images, trained as they were. */
export function baselineRequests(
  models: readonly string[],
  settings: DataSettings,
  training: TrainingSettings,
  presets: (id: string) => PresetInfo | undefined,
): StartRunRequest[] {
  return models.map((model) => ({
    config: {
      model,
      resize: baselineSide(settings, presets(model)),
      seed: settings.seed,
      ...(settings.trainLimit !== null ? { trainLimit: settings.trainLimit } : {}),
      ...(settings.testLimit !== null ? { testLimit: settings.testLimit } : {}),
      ...training,
    },
    tags: ['baseline'],
    baseline: true,
  }));
}
