import type { NetworkChoice } from '../../shared/models/presets';
import type { EngineInfo, TrainingEvent } from '../../shared/train/events';
import type { EngineId, RunConfig } from '../../shared/train/run-config';
import type { MemoryLimit } from './memory-limit';
import type { MemoryEstimateConfig } from './run-memory';

/** What a run asks of the engine beyond its name. */
export interface EngineOptions {
  /** CPU threads (the wasm engine's); absent: every core. */
  threads?: number;
  /** How the engine spends them, as its planRun planned them to fit memory; absent: the engine's default. */
  layout?: { replicas: number; threadsPerReplica: number };
  /** Why that layout, for the engine's detail: "4 replicas (9.1 GB planned of 16 GB)". */
  layoutNote?: string;
  /**
   * The caller can hand a run to an engine that runs it itself (EngineRow.run:
   * pytorch), which activates no tfjs backend. Absent: only tfjs engines, for
   * callers that go on to compute with tfjs (evaluate, the bench, the speed measurement).
   */
  ownRunnerOk?: boolean;
}

/**
 * How an engine is being asked for: by name (the user chose it, or the probe
 * lists it) or by `auto`, which takes only what should beat the engines after
 * it (webgpu: a hardware adapter, not SwiftShader).
 */
export interface LoadRequest extends EngineOptions {
  byName: boolean;
}

/** How much memory an engine gives a run. */
export interface EngineMemory {
  /** Bytes a run may use on this engine; undefined where we cannot know (GPU memory). */
  bytes: number | undefined;
  /** For messages: "the wasm engine has 4 GB". */
  description: string;
}

/** The shape of a run as an engine's buffer check sees it. */
export interface RunShape extends NetworkChoice {
  /** Square image side. */
  resize: number;
  batchSize: number;
}

/** A run as an engine's planner sees it: its network, image, batch and the threads it asked for. */
export interface PlannedRun extends MemoryEstimateConfig {
  /** Absent: the engine chooses (every core that fits). */
  threads?: number;
}

/** What the machine gives a run, for an engine's planner. */
export interface RunMachine {
  /** An explicit limit (a run request's memoryLimit); absent: machineMemoryLimit() (VGG_WORKBENCH_MEMORY_LIMIT, else a share of RAM). */
  limit?: MemoryLimit;
}

/** An engine's plan for one run: how to load it so the run fits, or why the run as asked cannot. */
export interface RunPlan {
  /** What to load the engine with (its thread layout and why). */
  load: Pick<EngineOptions, 'layout' | 'layoutNote'>;
  /** Thrown when this engine is the one selected: the run as asked does not fit it here. */
  refusal?: Error;
}

/** A checkpoint file as written, for the store's row (the worker's checkpoint message). */
export interface WrittenCheckpoint {
  epoch: number;
  path: string;
  bytes: number;
  sha256: string;
}

/** A checkpoint to read: resume from it, or warm-start from it. */
export interface CheckpointRef {
  path: string;
  epoch: number;
  sha256?: string;
}

/**
 * What an engine that runs a run itself (EngineRow.run) is handed by the
 * training worker: the run, where its data and checkpoints lie, and how to
 * report. Everything tfjs or the data folder must compute is computed by the
 * worker, so the engine's folder imports neither.
 */
export interface EngineRunContext {
  runId: string;
  config: RunConfig;
  /** The engine as selected (its load's answer). */
  engine: EngineInfo;
  /** Aborting asks the run to stop after the batch in flight. */
  signal: AbortSignal;
  emit(event: TrainingEvent): void;
  checkpointWritten(checkpoint: WrittenCheckpoint): void;
  /** The four Fashion-MNIST IDX files (each possibly .gz). */
  data: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
  /** Absent: checkpoints off. */
  checkpoint?: {
    dir: string;
    policy: 'every' | 'last';
    /** The tfjs artifacts of the same network without weight data (modelTopology, weightSpecs, ...): what a checkpoint's header holds. */
    template(): Promise<Record<string, unknown>>;
  };
  resume?: CheckpointRef;
  warmStart?: CheckpointRef & { runId: string };
  /** What the run holds at its peak, by the memory estimate (core/engine/run-memory.ts). */
  estimatedBytes: number;
  /** Refuses, by throwing with the ways out, a run the machine's memory cannot hold (the row's memory rule, core/train/memory-estimate.ts). */
  checkMemory(): void;
  /** Present for a speed measurement: train this many steps, with no evaluation and no checkpoint. */
  bench?: { steps: number };
}

/** How a run ended, for the worker's `finished` message. */
export interface EngineRunResult {
  status: 'completed' | 'cancelled' | 'failed';
  epochsDone: number;
  /** The last evaluation's confusion matrix, confusion[true][predicted]. */
  confusion?: number[][];
}

/** Why one of a run's tensors cannot be a buffer of this engine, and the batch that would fit. */
export interface BufferRefusal {
  message: string;
  /** The engine's per-buffer limit. */
  limitBytes: number;
  /** The largest batch whose tensors fit; absent when none does. */
  batchSize?: number;
}

/**
 * One engine as a row: everything the trainer, the probe and the estimators
 * need to know of it, so that they ask the row and name no engine. A new
 * engine is a new row, in a folder of its own (core/engine/<engine>/).
 * Loader and self-check import tfjs on demand: the table itself stays light
 * enough for the memory estimate to read it in any process.
 */
export interface EngineRow {
  readonly id: EngineId;
  /** The npm package that provides the engine. */
  readonly package: string;
  /**
   * Makes the engine ready (a tfjs engine: the active tfjs backend) and says
   * what to record with the run. Throws EngineUnavailableError with the reason
   * it cannot load here and the fix.
   */
  load(request: LoadRequest): Promise<Omit<EngineInfo, 'id'>>;
  /** Throws when the loaded backend computes wrong numbers (a missing or broken kernel); absent where load checks it already. */
  selfCheck?(backendName: string): Promise<void>;
  /**
   * What runs a run on this engine; absent: the tfjs trainer on the backend
   * `load` activated. Never throws: every end is reported as events.
   */
  run?(context: EngineRunContext): Promise<EngineRunResult>;
  /** The memory a run gets on this engine; `availableBytes` is the machine's free memory now. */
  memory(availableBytes: number): EngineMemory;
  /**
   * Thread layout: loads the engine in a data-parallel replica's own thread,
   * on `threadsPerReplica` threads; absent for an engine that never splits a
   * run into replicas (EngineInfo.replicas).
   */
  loadReplica?(threadsPerReplica: number): Promise<void>;
  /**
   * Plans a run on this engine before it loads: a layout that fits the
   * machine's memory, or the refusal of what cannot; absent where the engine
   * has nothing to plan (its memory rule alone decides).
   */
  planRun?(run: PlannedRun, machine: RunMachine): RunPlan | undefined;
  /**
   * True where a step only enqueues work on a device and returns: the trainer
   * then reads each step's values one step behind, so the device never waits
   * on the host (trainer.ts readLagFor).
   */
  readonly stepsRunAhead?: boolean;
  /** Refuses a run one of whose tensors cannot be a single buffer on the loaded engine; absent where no such limit exists. */
  checkBuffers?(run: RunShape, engine: EngineInfo): BufferRefusal | undefined;
}

/** The self-check every row runs: a tiny net forward and backward, compared with the cpu backend (self-check.ts). */
export async function selfCheck(backendName: string): Promise<void> {
  const { selfCheckBackend } = await import('./self-check');
  await selfCheckBackend(backendName);
}
