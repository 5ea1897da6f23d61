import { arch, cpus, hostname, release, type } from 'node:os';
import type { EngineInfo } from '../../shared/train/events';
import type { HostInfo } from '../../shared/runs/run-entities';

/**
 * The machine a run trains on, for comparing timings across machines. The GPU
 * is known only from the engine: tfjs-node-gpu reports it in its detail line
 * as "GPU: <name>"; anything else there explains why no GPU is used.
 */
export function describeHost(engine?: EngineInfo): HostInfo {
  const cores = cpus();
  const cpu = cores.length > 0 ? `${cores[0].model.trim()} (${cores.length} threads)` : null;
  const gpu = engine?.detail?.match(/^GPU:\s*(.+)$/)?.[1]?.trim() ?? null;
  return { os: `${type()} ${release()} ${arch()}`, cpu, gpu, name: hostname() };
}
