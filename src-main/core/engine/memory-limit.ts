import { totalmem } from 'node:os';
import { formatBytes } from '../../shared/format';

/**
 * The memory a run may plan for on this machine, whatever its engine: an
 * explicit limit (--memory-limit, a run request's field), the environment's
 * VGG_WORKBENCH_MEMORY_LIMIT, or a share of the total. Each engine's planner
 * (EngineRow.planRun) prices its own layout against it.
 */

/** Share of the machine's total memory a run may plan for unless told otherwise. */
export const DEFAULT_MEMORY_SHARE = 0.7;
/** The environment variable that sets the limit: "6GB", "6144MB", "60%". */
export const MEMORY_LIMIT_ENV = 'VGG_WORKBENCH_MEMORY_LIMIT';

export interface MemoryLimit {
  bytes: number;
  /** For messages: "70% of 16 GB", "6 GB (VGG_WORKBENCH_MEMORY_LIMIT)". */
  description: string;
}

const UNIT_BYTES: Record<string, number> = { '': 1, B: 1, K: 1024, KB: 1024, M: 1024 ** 2, MB: 1024 ** 2, G: 1024 ** 3, GB: 1024 ** 3, T: 1024 ** 4, TB: 1024 ** 4 };

/**
 * Parses a memory limit: "6GB", "6 GB", "6144MB", "6g", plain bytes, or a
 * share of the machine, "60%". Units are binary (1 GB = 1024³ bytes), as
 * formatBytes prints them. Throws an Error that names `source` and the forms
 * it takes.
 */
export function parseMemoryLimit(text: string, source: string, machineBytes: number = totalmem()): MemoryLimit {
  const value = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value);
  if (percent) {
    const share = Number(percent[1]) / 100;
    if (share <= 0 || share > 1) throw new Error(`${source} must be a share between 0% and 100%, got "${text}"`);
    return { bytes: Math.floor(machineBytes * share), description: `${percent[1]}% of ${formatBytes(machineBytes)} (${source})` };
  }
  const sized = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(value);
  const unit = sized ? UNIT_BYTES[sized[2]!.toUpperCase()] : undefined;
  if (!sized || unit === undefined || Number(sized[1]) <= 0) {
    throw new Error(`${source} must be a size like 6GB, 6144MB or 60% of the machine, got "${text}"`);
  }
  const bytes = Math.floor(Number(sized[1]) * unit);
  return { bytes, description: `${formatBytes(bytes)} (${source})` };
}

/**
 * The memory a run may plan for on this machine: `flag` (--memory-limit) if
 * given, else the environment's VGG_WORKBENCH_MEMORY_LIMIT, else
 * DEFAULT_MEMORY_SHARE of the total.
 */
export function machineMemoryLimit(
  options: { flag?: string; env?: NodeJS.ProcessEnv; machineBytes?: number } = {},
): MemoryLimit {
  const machineBytes = options.machineBytes ?? totalmem();
  if (options.flag !== undefined) return parseMemoryLimit(options.flag, '--memory-limit', machineBytes);
  const fromEnv = (options.env ?? process.env)[MEMORY_LIMIT_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseMemoryLimit(fromEnv, MEMORY_LIMIT_ENV, machineBytes);
  return {
    bytes: Math.floor(machineBytes * DEFAULT_MEMORY_SHARE),
    description: `${DEFAULT_MEMORY_SHARE * 100}% of this machine's ${formatBytes(machineBytes)}`,
  };
}
