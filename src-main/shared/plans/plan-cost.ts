import { resolveNetwork } from '../models/presets';
import { summarizeNetwork } from '../models/summary';
import { FASHION_MNIST_SPLIT_SIZES } from '../data/fashion-mnist-facts';
import { planRequests, type ExperimentPlan, type PlanSettings } from './experiment-plans';
import { estimateRunSeconds, type EngineSpeed } from './plan-estimate';

/** What a run request names that its cost depends on. */
export interface CostedConfig {
  model: string;
  resize?: number;
  widthRatio?: number;
  denseUnits?: number;
  epochs?: number;
  trainLimit?: number;
  testLimit?: number;
}

export interface RunCostEstimate {
  /** Readable network name (`vgg11 width/8 dense 512`). */
  model: string;
  resize: number;
  params: number;
  macs: number;
  seconds: number;
}

/**
 * One run's estimated seconds from its request: the network at its side, its
 * epochs and images (the whole split where no limit is set; the preset's
 * recipe fills what the request leaves out, as the service does).
 */
export function estimateRequest(config: CostedConfig, speed: EngineSpeed, defaults: { resize: number; epochs: number }): RunCostEstimate {
  const resize = config.resize ?? defaults.resize;
  const network = resolveNetwork({ model: config.model, widthRatio: config.widthRatio, denseUnits: config.denseUnits });
  const summary = summarizeNetwork(network.layers, [resize, resize, 1]);
  const cost = {
    macs: summary.totalMacs,
    trainImages: Math.min(config.trainLimit ?? FASHION_MNIST_SPLIT_SIZES.train, FASHION_MNIST_SPLIT_SIZES.train),
    testImages: Math.min(config.testLimit ?? FASHION_MNIST_SPLIT_SIZES.test, FASHION_MNIST_SPLIT_SIZES.test),
    epochs: config.epochs ?? defaults.epochs,
  };
  return { model: network.name, resize, params: summary.totalParams, macs: summary.totalMacs, seconds: estimateRunSeconds(cost, speed) };
}

export interface PlanRunEstimate extends RunCostEstimate {
  initFrom?: number;
}

/** Every run of a plan at these settings, with its estimated seconds on an engine of this speed. */
export function estimatePlan(plan: ExperimentPlan, settings: PlanSettings, speed: EngineSpeed): PlanRunEstimate[] {
  const planned = plan.runs(settings);
  return planRequests(plan, settings).map((request, i) => {
    const initFrom = planned[i]?.initFrom;
    const estimate = estimateRequest(request.config, speed, { resize: settings.resize, epochs: settings.epochs });
    return { ...estimate, ...(initFrom !== undefined ? { initFrom } : {}) };
  });
}

/** A plan budget over this many seconds asks before queueing, and points at a smaller one or a GPU. */
export const ASK_ABOVE_SECONDS = 60 * 60;

/** A plan's whole queue, in seconds, on an engine of this speed. */
export function planSeconds(plan: ExperimentPlan, settings: PlanSettings, speed: EngineSpeed): number {
  return estimatePlan(plan, settings, speed).reduce((sum, run) => sum + run.seconds, 0);
}
