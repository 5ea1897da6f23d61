import type { RunRecord } from '../../../src-main/shared/runs/run-entities';
import { resolveNetwork } from '../../../src-main/shared/models/presets';
import { minimumInputSide, summarizeNetwork } from '../../../src-main/shared/models/summary';
import { FASHION_MNIST_SPLIT_SIZES } from '../../../src-main/shared/data/fashion-mnist-facts';
import { estimateRunSeconds, type EngineSpeed } from '../../../src-main/shared/plans/plan-estimate';
import { RESIZE_OPTIONS, RUN_FIELD_LIMITS } from '../../../src-main/shared/train/run-config';
import { formatDuration, formatInteger } from '../../../src-main/shared/format';
import { estimateEpochSeconds } from './epoch-time-estimate';
import type { LaunchForm } from './run-request';

/**
 * Above this a run asks before it starts (Baselines ask above 5 minutes of
 * training they add to a comparison; a single run gets twice that). Ten
 * minutes is what a first look at a network should cost.
 */
export const ASK_ABOVE_SECONDS = 10 * 60;

/** What an epoch's time is judged from: runs recorded here, else the engine's measured speed. */
export interface SpeedSources {
  runs: readonly RunRecord[];
  /** This machine's measured speed (`engines.speed`) and the engine it measured, when known. */
  measured: { engine: string; speed: EngineSpeed } | null;
}

export interface RunTimeEstimate {
  epochSeconds: number;
  totalSeconds: number;
  /** Where the figure comes from, in words. */
  basis: string;
  /** The figure is a floor (a speed the engine cannot beat), not a judgement: the run takes at least this long. */
  lowerBound?: boolean;
}

/**
 * Forward MACs per second that no CPU engine of ours reaches on any machine,
 * for the seconds before this machine's speed is measured (30 s on a loaded
 * fresh install): wasm's own ceiling measured 29 GMAC/s on 2 cores and it
 * uses at most 8 threads; libtensorflow's CPU kernels stay within a few times
 * that. Too fast on purpose, so a run it calls long is long. GPU engines have
 * no such floor worth stating.
 */
const FASTEST_CPU_MACS_PER_SEC: Readonly<Record<string, number>> = { wasm: 250e9, cpu: 250e9, tensorflow: 1e12 };

type SizedForm = Pick<LaunchForm, 'model' | 'blocks' | 'widthRatio' | 'denseUnits' | 'resize' | 'trainLimit' | 'testLimit' | 'epochs'>;

/** Parameters and MACs per image of the form's network at its image size, by arithmetic (no tfjs); null when it cannot be built. */
export function networkSize(form: SizedForm, isVgg: boolean): { params: number; macs: number; minimumSide: number } | null {
  try {
    const choice = isVgg ? { model: form.model, blocks: form.blocks, widthRatio: form.widthRatio, denseUnits: form.denseUnits } : { model: form.model };
    const { layers } = resolveNetwork(choice);
    const summary = summarizeNetwork(layers, [form.resize, form.resize, 1]);
    return { params: summary.totalParams, macs: summary.totalMacs, minimumSide: minimumInputSide(layers) };
  } catch {
    return null;
  }
}

/** How long the form's run would take on `engine`, or null when nothing here tells. */
export function estimateRunTime(form: SizedForm, isVgg: boolean, engine: string, sources: SpeedSources): RunTimeEstimate | null {
  const size = networkSize(form, isVgg);
  if (!size) return null;
  const trainImages = form.trainLimit ?? FASHION_MNIST_SPLIT_SIZES.train;
  const testImages = form.testLimit ?? FASHION_MNIST_SPLIT_SIZES.test;
  const fromRuns = estimateEpochSeconds({ engine, params: size.params, macsPerImage: size.macs, trainImages, testImages }, sources.runs);
  let epochSeconds: number;
  let basis: string;
  if (fromRuns) {
    epochSeconds = fromRuns.seconds;
    const runs = `${fromRuns.runs} earlier run${fromRuns.runs === 1 ? '' : 's'}`;
    basis = fromRuns.basis === 'network' ? `${runs} of this network at this size` : `${runs} of other networks, scaled by MACs: a rough guide`;
  } else if (sources.measured && sources.measured.engine === engine) {
    epochSeconds = estimateRunSeconds({ macs: size.macs, trainImages, testImages, epochs: 1 }, sources.measured.speed);
    basis = `${engine}'s measured speed, scaled by MACs: a rough guide`;
  } else if (FASTEST_CPU_MACS_PER_SEC[engine] !== undefined) {
    // 1 image a second at macsPerImage = macs/s; estimateRunSeconds counts training as 3× the forward pass.
    const speed = { imagesPerSec: FASTEST_CPU_MACS_PER_SEC[engine] / (3 * size.macs), macsPerImage: size.macs };
    epochSeconds = estimateRunSeconds({ macs: size.macs, trainImages, testImages, epochs: 1 }, speed);
    basis = `a speed no CPU engine reaches, while ${engine}'s own is measured`;
    return { epochSeconds, totalSeconds: epochSeconds * form.epochs, basis, lowerBound: true };
  } else {
    return null;
  }
  return { epochSeconds, totalSeconds: epochSeconds * form.epochs, basis };
}

/** A quicker run of the same network: what changed, in words, and its estimate. */
export interface QuickVariant {
  changes: Partial<Pick<LaunchForm, 'trainLimit' | 'testLimit' | 'widthRatio' | 'resize'>>;
  words: string;
  estimate: RunTimeEstimate;
}

/**
 * The first of the usual ways to a quick run that fits `ASK_ABOVE_SECONDS`,
 * tried in order and kept as they add up: fewer images, a narrower network
 * (the book's width ratio, VGG only), the smallest image side the network
 * takes. If none is enough, the quickest of them; null when nothing changes
 * or nothing here can judge the time.
 */
export function quickVariant(form: SizedForm, isVgg: boolean, engine: string, sources: SpeedSources): QuickVariant | null {
  const steps: QuickVariant['changes'][] = [
    { trainLimit: Math.min(form.trainLimit ?? Infinity, 6000), testLimit: Math.min(form.testLimit ?? Infinity, 1000) },
    ...(isVgg ? [4, 8, 16].filter((r) => r > form.widthRatio && r <= RUN_FIELD_LIMITS.widthRatio.max).map((widthRatio) => ({ widthRatio })) : []),
    { resize: smallestSide(form, isVgg) },
    { trainLimit: Math.min(form.trainLimit ?? Infinity, 2000), testLimit: Math.min(form.testLimit ?? Infinity, 500) },
  ];
  let changes: QuickVariant['changes'] = {};
  let best: QuickVariant | null = null;
  for (const step of steps) {
    changes = { ...changes, ...step };
    const estimate = estimateRunTime({ ...form, ...changes }, isVgg, engine, sources);
    // A floor cannot say that a variant fits: the variant waits for the engine's measured speed.
    if (!estimate || estimate.lowerBound) return null;
    best = { changes: { ...changes }, words: describeChanges(form, changes), estimate };
    if (estimate.totalSeconds <= ASK_ABOVE_SECONDS) break;
  }
  return best && best.words !== '' ? best : null;
}

/** The smallest offered side the network accepts (VGG's five pools: 32). */
function smallestSide(form: SizedForm, isVgg: boolean): number {
  const minimum = networkSize(form, isVgg)?.minimumSide ?? form.resize;
  return Math.min(form.resize, RESIZE_OPTIONS.find((side) => side >= minimum) ?? form.resize);
}

function describeChanges(form: SizedForm, changes: QuickVariant['changes']): string {
  const words: string[] = [];
  if (changes.trainLimit != null && changes.trainLimit !== form.trainLimit) words.push(`${formatInteger(changes.trainLimit)} training images`);
  if (changes.testLimit != null && changes.testLimit !== form.testLimit) words.push(`${formatInteger(changes.testLimit)} test images`);
  if (changes.widthRatio !== undefined && changes.widthRatio !== form.widthRatio) words.push(`width ratio ${changes.widthRatio}`);
  if (changes.resize !== undefined && changes.resize !== form.resize) words.push(`${changes.resize} px`);
  return words.join(', ');
}

/** "About 28 h 29 min per epoch, 284 h 50 min for 10 epochs" (one epoch: the first half only). */
export function describeRunTime(estimate: RunTimeEstimate, epochs: number): string {
  const perEpoch = `${estimate.lowerBound ? 'at least' : 'about'} ${formatDuration(estimate.epochSeconds)} per epoch`;
  return epochs === 1 ? perEpoch : `${perEpoch}, ${formatDuration(estimate.totalSeconds)} for ${epochs} epochs`;
}
