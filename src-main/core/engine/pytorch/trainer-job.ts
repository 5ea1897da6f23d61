import { availableParallelism } from 'node:os';
import { nameLayers } from '../../../shared/models/layer-names';
import type { LayerSpec } from '../../../shared/models/layer-spec';
import { resolveNetwork } from '../../../shared/models/presets';
import { summarizeNetwork } from '../../../shared/models/summary';
import { NUM_CLASSES } from '../../../shared/data/fashion-mnist-facts';
import type { EngineInfo } from '../../../shared/train/events';
import type { Precision, RunConfig, TorchDevice } from '../../../shared/train/run-config';
import type { CheckpointRef, EngineRunContext } from '../engine-row';

/** The one line of JSON the runner writes on the script's stdin (docs/pytorch-protocol.md, "The job"). */
export interface TrainerJob {
  protocol: 1;
  config: RunConfig;
  layers: (LayerSpec & { name: string })[];
  side: number;
  classes: number;
  data: EngineRunContext['data'];
  device: TorchDevice;
  precision: Precision;
  threads?: number;
  macs: number;
  engine: EngineInfo;
  memoryBytes: number;
  checkpoint?: { dir: string; policy: 'every' | 'last'; template: Record<string, unknown> };
  resume?: CheckpointRef;
  warmStart?: CheckpointRef & { runId: string };
  /** Present: a speed measurement of this many steps, no evaluation, no checkpoint. */
  benchSteps?: number;
}

export const PROTOCOL_VERSION = 1;

/**
 * CPU threads when the run names none: every core, as the other engines
 * train. torch's own default is not that everywhere: on the project's 2-core
 * VM, libgomp gives Debian's torch 1.13 one thread, so a run used half the
 * machine. An OMP_NUM_THREADS the user set stands (undefined: torch decides).
 */
export function defaultTorchThreads(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()): number | undefined {
  return env.OMP_NUM_THREADS?.trim() ? undefined : cores;
}

const withThreads = (threads: number | undefined): { threads?: number } => (threads === undefined ? {} : { threads });

/** The job for a run: its network as the same LayerSpec list the tfjs builder reads, each layer named as tfjs names it. */
export async function trainerJob(context: EngineRunContext, memoryBytes: number): Promise<TrainerJob> {
  const { config, engine, data, checkpoint, resume, warmStart, bench } = context;
  const network = resolveNetwork(config, NUM_CLASSES);
  const names = nameLayers(network.layers);
  const side = config.resize;
  const macs = summarizeNetwork(network.layers, [side, side, 1], { name: network.name }).totalMacs;
  return {
    protocol: PROTOCOL_VERSION,
    config,
    layers: network.layers.map((layer, i) => ({ ...layer, name: names[i]! })),
    side,
    classes: NUM_CLASSES,
    data,
    device: config.device ?? 'auto',
    precision: config.precision ?? 'fp32',
    ...withThreads(config.threads ?? defaultTorchThreads()),
    macs,
    engine,
    memoryBytes,
    ...(checkpoint ? { checkpoint: { dir: checkpoint.dir, policy: checkpoint.policy, template: await checkpoint.template() } } : {}),
    ...(resume ? { resume } : {}),
    // A resumed run has its own weights; only a new run is initialised from another's (as the tfjs trainer does).
    ...(warmStart && !resume ? { warmStart } : {}),
    ...(bench ? { benchSteps: bench.steps } : {}),
  };
}
