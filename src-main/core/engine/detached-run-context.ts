import type { EngineRunContext } from './engine-row';
import { estimateRunMemory } from './run-memory';

/**
 * The context of a run nothing records or cancels: the bench, the speed
 * measurement, the device kit's book run, the layer-statistics cost script.
 * No checkpoint is kept (none is asked for), the abort signal never fires, the
 * memory check is the engine's own (on a GPU the pytorch script asks the
 * device), and the estimate is the run's by the memory model. Events go to
 * `emit` when given, else nowhere.
 */
export function detachedRunContext(
  fields: Pick<EngineRunContext, 'runId' | 'config' | 'engine' | 'data'> & Partial<Pick<EngineRunContext, 'emit' | 'bench'>>,
): EngineRunContext {
  return {
    emit: () => undefined,
    ...fields,
    signal: new AbortController().signal,
    checkpointWritten: () => undefined,
    estimatedBytes: estimateRunMemory(fields.config).totalBytes,
    checkMemory: () => undefined,
  };
}
