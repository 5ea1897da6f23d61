import { resolveNetwork } from '../../shared/models/presets';
import { summarizeNetwork } from '../../shared/models/summary';
import type { EngineSpeed } from '../../shared/plans/plan-estimate';
import { runConfigSchema, type EngineChoice } from '../../shared/train/run-config';
import { BENCH_LR } from './workloads';
import { recordMeasuredSpeed } from '../engine/measured-speeds';

/**
 * The network every plan estimate is scaled from: the quick budgets' VGG-11
 * (width 1/8, 512 dense units) at 32 px, batch 64.
 */
export const SPEED_REFERENCE = { network: { model: 'vgg11', widthRatio: 8, denseUnits: 512 }, side: 32, batchSize: 64, steps: 30 } as const;
export const SPEED_REFERENCE_LABEL = 'VGG-11/8, 32 px';

export interface MeasuredSpeed {
  speed: EngineSpeed;
  /** The engine `choice` resolved to (auto picks one). */
  engineId: string;
}

/**
 * An engine's training speed on the reference: a few timed SGD steps in this
 * process, on the engine as training selects it (its threads and replicas).
 * The CLI's `plans` and the app's Plans view and baseline estimates all use it.
 */
export async function measureEngineSpeed(engine: EngineChoice): Promise<MeasuredSpeed> {
  const { ENGINE_ROWS, selectEngine } = await import('../engine/engines');
  const { network, side, batchSize, steps } = SPEED_REFERENCE;
  const macs = summarizeNetwork(resolveNetwork(network).layers, [side, side, 1]).totalMacs;
  const row = engine === 'auto' ? undefined : ENGINE_ROWS[engine];
  let imagesPerSec: number;
  let info;
  if (row?.run) {
    // An engine that runs its runs itself is timed through its own runner, on a bench job of the same reference.
    info = await selectEngine(row.id, { ownRunnerOk: true });
    // A measurement, not a user's run: no preset recipe to fill in, so it is stated whole (prepareRun is for requests).
    const config = runConfigSchema.parse({ ...network, resize: side, batchSize, epochs: 1, lr: BENCH_LR, engine: row.id });
    imagesPerSec = await (await import('./runner-speed')).measureRunnerSpeed(row, info, config, steps);
  } else {
    const { measureWorkload } = await import('./measure');
    info = await selectEngine(engine);
    const measured = await measureWorkload(
      { name: 'plan-estimate', network, side, batchSize, steps, description: SPEED_REFERENCE_LABEL },
      { engine: info },
    );
    imagesPerSec = measured.imagesPerSec;
  }
  // Kept on this machine, so that auto can weigh an engine it does not walk to (core/engine/measured-speeds.ts).
  recordMeasuredSpeed(info.id, imagesPerSec, info.detail);
  return { speed: { imagesPerSec, macsPerImage: macs }, engineId: info.id };
}
