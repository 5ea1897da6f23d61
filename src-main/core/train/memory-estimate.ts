import { freemem } from 'node:os';
import { findPreset, resolveNetwork } from '../../shared/models/presets';
import { minimumInputSide } from '../../shared/models/summary';
import { RESIZE_OPTIONS, type EngineId } from '../../shared/train/run-config';
import type { FieldSuggestion } from '../../shared/refusal';
import { formatBytes } from '../../shared/format';
import type { EngineInfo } from '../../shared/train/events';
import type { EngineMemory } from '../engine/engine-row';
import { ENGINE_ROWS } from '../engine/engines';
import { estimateRunMemory, type MemoryEstimate, type MemoryEstimateConfig } from '../engine/run-memory';
import { BOOK_DENSE_UNITS } from '../../shared/models/vgg';

export type { EngineMemory } from '../engine/engine-row';
// The estimate itself sits in core/engine, where each engine's planner may read it; kept here for its callers.
export { estimateRunMemory, type MemoryEstimate, type MemoryEstimateConfig } from '../engine/run-memory';
// The wasm heap's numbers are the wasm engine's (core/engine/wasm/wasm-memory.ts); kept here for their callers.
export {
  WASM_HEAP_MAX_BYTES,
  WASM_HEAP_PER_ESTIMATED_BYTE,
  WASM_HEAP_PER_THREAD_BYTES,
  estimateWasmHeapBytes,
} from '../engine/wasm/wasm-memory';

/**
 * How much memory an engine gives a run: its row's memory rule
 * (core/engine/<engine>/), at the machine's available memory now.
 */
export function engineMemory(engineId: EngineId, availableBytes: number = freemem()): EngineMemory {
  return ENGINE_ROWS[engineId].memory(availableBytes);
}

/**
 * Refuses a run that cannot fit the engine it loaded on: its memory
 * (checkRunFits), then each tensor against the engine's buffer limits where
 * its row has a buffer check. Returns the estimate when the run fits.
 */
export function checkEngineFits(config: MemoryEstimateConfig, engine: EngineInfo, options: CheckRunFitsOptions = {}): MemoryEstimate {
  const estimate = checkRunFits(config, engine.id, options);
  const refusal = ENGINE_ROWS[engine.id].checkBuffers?.(config, engine);
  if (refusal === undefined) return estimate;
  const fits: FitSuggestions = refusal.batchSize === undefined ? {} : { batchSize: refusal.batchSize };
  throw new RunTooLargeError(refusal.message, estimate, refusal.limitBytes, fits);
}

/** Changes that make a refused run fit, each on its own (the others as configured). */
export interface FitSuggestions {
  /** The largest batch that fits. */
  batchSize?: number;
  /** The largest offered side (RESIZE_OPTIONS) below the configured one that fits. */
  resize?: number;
  /** VGG only: the smallest power-of-two width ratio above the configured one that fits. */
  widthRatio?: number;
  /** VGG only: the largest power-of-two dense width below the configured one that fits. */
  denseUnits?: number;
}

export class RunTooLargeError extends Error {
  override name = 'RunTooLargeError';
  constructor(
    message: string,
    readonly estimate: MemoryEstimate,
    readonly limitBytes: number,
    readonly fits: FitSuggestions,
  ) {
    super(message);
  }

  /** The same ways out as bounds on run fields, for the CLI to word as flags and the GUI as buttons. */
  get suggestions(): FieldSuggestion[] {
    const f = this.fits;
    const all: (FieldSuggestion | undefined)[] = [
      f.batchSize !== undefined ? { field: 'batchSize', max: f.batchSize } : undefined,
      f.resize !== undefined ? { field: 'resize', max: f.resize } : undefined,
      f.widthRatio !== undefined ? { field: 'widthRatio', min: f.widthRatio } : undefined,
      f.denseUnits !== undefined ? { field: 'denseUnits', max: f.denseUnits } : undefined,
    ];
    return all.filter((s) => s !== undefined);
  }
}

export interface CheckRunFitsOptions {
  /** The machine's available memory, for the cpu and native engines; `os.freemem()` when absent. */
  availableBytes?: number;
}

/**
 * Refuses a run that cannot fit the engine's memory: throws RunTooLargeError
 * whose message says what the run needs and what to reduce, with the batch,
 * side, width ratio or dense width that would fit. Returns the estimate when
 * the run fits. `engineId` is the engine the run will use (after 'auto' was resolved).
 */
export function checkRunFits(config: MemoryEstimateConfig, engineId: EngineId, options: CheckRunFitsOptions = {}): MemoryEstimate {
  const estimate = estimateRunMemory(config);
  const limit = engineMemory(engineId, options.availableBytes);
  if (limit.bytes === undefined || estimate.totalBytes <= limit.bytes) return estimate;

  const suggestions = suggestFits(config, limit.bytes);
  const activations = estimate.activationBytes + estimate.activationGradientBytes;
  const needs =
    `${estimate.network} at ${estimate.side}×${estimate.side}, batch ${estimate.batchSize} needs about ` +
    `${formatBytes(estimate.totalBytes)} (activations ${formatBytes(activations)}, weights with their copies and gradients ` +
    `${formatBytes(estimate.weightBytes + estimate.weightCopyBytes + estimate.gradientBytes + estimate.optimizerBytes)}); ${limit.description}.`;
  throw new RunTooLargeError(`${needs} ${adviceFor(suggestions)}`, estimate, limit.bytes, suggestions);
}

/** The ways out in plain words; the CLI adds its flags and the GUI its buttons (RunTooLargeError.suggestions). */
function adviceFor(s: FitSuggestions): string {
  const options = [
    s.batchSize !== undefined ? `a batch of ${s.batchSize} or less` : undefined,
    s.resize !== undefined ? `${s.resize}×${s.resize} images` : undefined,
    s.widthRatio !== undefined ? `width ratio ${s.widthRatio}` : undefined,
    s.denseUnits !== undefined ? `${s.denseUnits} dense units` : undefined,
  ].filter((x) => x !== undefined);
  if (options.length === 0) return 'Nothing short of a smaller network fits: even batch 1 is too large.';
  return `It fits with ${options.join(', or ')}.`;
}

/** Whether `config` fits in `limit` bytes; a config the network rejects (too small an image, too wide a ratio) does not. */
function fits(config: MemoryEstimateConfig, limit: number): boolean {
  try {
    return estimateRunMemory(config).totalBytes <= limit;
  } catch {
    return false;
  }
}

function suggestFits(config: MemoryEstimateConfig, limit: number): FitSuggestions {
  const suggestions: FitSuggestions = {};

  // Memory grows with the batch, so the largest batch that fits is found by bisection.
  if (fits({ ...config, batchSize: 1 }, limit)) {
    let [low, high] = [1, config.batchSize];
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (fits({ ...config, batchSize: mid }, limit)) low = mid;
      else high = mid;
    }
    suggestions.batchSize = low;
  }

  const network = resolveNetwork(config);
  const minimum = minimumInputSide(network.layers);
  const resize = [...RESIZE_OPTIONS]
    .reverse()
    .find((side) => side < config.resize && side >= minimum && fits({ ...config, resize: side }, limit));
  if (resize !== undefined) suggestions.resize = resize;

  const preset = findPreset(config.model);
  if (preset.family === 'vgg') {
    const ratio = config.widthRatio ?? 1;
    for (let next = nextPowerOfTwoAbove(ratio); next <= 64; next *= 2) {
      if (fits({ ...config, widthRatio: next }, limit)) {
        suggestions.widthRatio = next;
        break;
      }
    }
    const dense = config.denseUnits ?? preset.defaults.denseUnits ?? BOOK_DENSE_UNITS;
    for (let next = nextPowerOfTwoBelow(dense); next >= 16; next /= 2) {
      if (fits({ ...config, denseUnits: next }, limit)) {
        suggestions.denseUnits = next;
        break;
      }
    }
  }
  return suggestions;
}

function nextPowerOfTwoAbove(n: number): number {
  let p = 1;
  while (p <= n) p *= 2;
  return p;
}

function nextPowerOfTwoBelow(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

// The engines command reads sizes from here.
export { formatBytes };
