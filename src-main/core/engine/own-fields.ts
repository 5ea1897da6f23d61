import { ENGINE_IDS, type EngineId, type RunConfig } from '../../shared/train/run-config';

/** A run-config field only some engines read. */
export type OwnField = 'device' | 'precision';

/**
 * Which engines read which of those fields; every other engine refuses them
 * when set. A table of its own rather than a field of the engine rows, so the
 * service can check a request (prepare-run.ts) without loading the engine
 * table, which the main process must not bundle (electron-vite-build.test.ts).
 */
export const OWN_FIELDS: Partial<Record<EngineId, readonly OwnField[]>> = {
  pytorch: ['device', 'precision'],
};

/** `device` and `precision` set to more than their defaults (auto, fp32) for an engine that does not read them. */
export function foreignFields(config: Pick<RunConfig, OwnField>, engineId: EngineId): OwnField[] {
  const own = OWN_FIELDS[engineId] ?? [];
  return (['device', 'precision'] as const).filter((field) => {
    const value = config[field];
    return value !== undefined && value !== 'auto' && value !== 'fp32' && !own.includes(field);
  });
}

/**
 * The refusal of foreign fields (foreignFields), or undefined: the first
 * field, and a message naming the engines that read them. The trainer gives
 * it once `auto` has picked an engine; prepare-run.ts before queueing, for a
 * run that names its engine.
 */
export function foreignFieldsRefusal(config: Pick<RunConfig, OwnField>, engineId: EngineId): { field: OwnField; message: string } | undefined {
  const set = foreignFields(config, engineId);
  if (set.length === 0) return undefined;
  const readers = ENGINE_IDS.filter((id) => set.every((field) => OWN_FIELDS[id]?.includes(field)));
  return {
    field: set[0]!,
    message:
      `the ${engineId} engine does not read ${set.map((f) => `${f} ${String(config[f])}`).join(' or ')}; ` +
      `use --engine ${readers.join(' or ')}, or drop --${set[0]}`,
  };
}
