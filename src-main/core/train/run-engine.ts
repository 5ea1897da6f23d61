import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { selectEngine } from '../engine/engines';
import type { EngineInfo } from '../../shared/train/events';
import type { RunConfig } from '../../shared/train/run-config';
import { replicaWorkerUrl } from '../thread/replica-entry';
import { machineMemoryLimit, planWasmLayout, ThreadsTooManyError, type LayoutPlan, type MemoryLimit } from './replica-layout';

/**
 * Selects a run's engine with the wasm layout planned to fit this machine's
 * memory (replica-layout.ts): `auto` threads get the fastest layout that fits,
 * an explicit thread count that cannot fit is refused here, before the run
 * allocates anything. The plan is recorded in the engine's detail:
 * "4 replicas (9.1 GB planned of 16 GB)". Other engines are selected as asked.
 */
export async function selectRunEngine(config: RunConfig, options: { limit?: MemoryLimit } = {}): Promise<EngineInfo> {
  let plan: LayoutPlan | undefined;
  let refusal: ThreadsTooManyError | undefined;
  if (config.engine === 'wasm' || config.engine === 'auto') {
    try {
      plan = planWasmLayout(config, {
        ...(config.threads === undefined ? {} : { threads: config.threads }),
        limit: options.limit ?? machineMemoryLimit(),
        replicasAvailable: existsSync(fileURLToPath(replicaWorkerUrl())),
      });
    } catch (error) {
      // Anything else (a network the summary rejects) is the trainer's to report, in its own words.
      if (error instanceof ThreadsTooManyError) refusal = error;
    }
  }
  const engine = await selectEngine(config.engine, {
    ...(config.threads === undefined ? {} : { threads: config.threads }),
    ...(plan ? { layout: plan.layout, layoutNote: plan.summary } : {}),
  });
  if (engine.id === 'wasm' && refusal) throw refusal;
  return engine;
}
