import { ENGINE_ROWS, selectEngine } from '../engine/engines';
import type { RunPlan } from '../engine/engine-row';
import type { MemoryLimit } from '../engine/memory-limit';
import { fasterByMeasurement } from '../engine/auto-by-speed';
import { readMeasuredSpeeds, type MeasuredSpeeds } from '../engine/measured-speeds';
import type { EngineInfo } from '../../shared/train/events';
import { ENGINE_IDS, type EngineId, type RunConfig } from '../../shared/train/run-config';
import { foreignFieldsRefusal } from '../engine/own-fields';

/**
 * Selects a run's engine, each candidate loaded as its row planned the run
 * (EngineRow.planRun: a thread layout that fits this machine's memory, or a
 * refusal). A refusal counts only for the engine that is selected, so `auto`
 * can still pass over an engine that would not fit. The plan is recorded in
 * the engine's detail: "4 replicas (9.1 GB planned of 16 GB)". `auto` walks
 * the tfjs engines in order, then takes pytorch instead where it was measured
 * faster here (`speeds`: engine-speeds.json by default).
 */
export async function selectRunEngine(config: RunConfig, options: { limit?: MemoryLimit; speeds?: MeasuredSpeeds } = {}): Promise<EngineInfo> {
  if (config.engine === 'auto') {
    // The walk's engine, unless this machine measured an engine with its own runner (pytorch) faster (auto-by-speed.ts).
    const walked = await selectPlanned(config, options);
    const ownRunners = ENGINE_IDS.filter((id) => ENGINE_ROWS[id].run !== undefined);
    const faster = fasterByMeasurement(walked.id, ownRunners, options.speeds ?? readMeasuredSpeeds());
    if (faster === undefined) return checked(config, walked);
    try {
      const engine = await selectPlanned({ ...config, engine: faster }, options);
      return checked(config, { ...engine, detail: `${engine.detail ?? faster}; auto: measured faster here than ${walked.id}` });
    } catch {
      // Measured once, unavailable now (Python removed): the walk's engine still trains the run.
      return checked(config, walked);
    }
  }
  return checked(config, await selectPlanned(config, options));
}

function checked(config: RunConfig, engine: EngineInfo): EngineInfo {
  refuseForeignFields(config, engine.id);
  return engine;
}

/** The engine as asked (auto: the walk), each candidate loaded as its row planned the run. */
async function selectPlanned(config: RunConfig, options: { limit?: MemoryLimit }): Promise<EngineInfo> {
  const candidates: readonly EngineId[] = config.engine === 'auto' ? ENGINE_IDS : [config.engine];
  const plans = new Map<EngineId, RunPlan | undefined>(
    candidates.map((id) => [id, ENGINE_ROWS[id].planRun?.(config, options.limit ? { limit: options.limit } : {})]),
  );
  const engine = await selectEngine(
    config.engine,
    { ownRunnerOk: true, ...(config.threads === undefined ? {} : { threads: config.threads }) },
    (id) => plans.get(id)?.load ?? {},
  );
  const refusal = plans.get(engine.id)?.refusal;
  if (refusal) throw refusal;
  return engine;
}

/** A field only some engines read (`device`, `precision`) set for one that would ignore it: refused, naming the field and the engines that read it. */
function refuseForeignFields(config: RunConfig, engineId: EngineId): void {
  const refusal = foreignFieldsRefusal(config, engineId);
  if (refusal) throw new Error(`config.${refusal.field}: ${refusal.message}`);
}

