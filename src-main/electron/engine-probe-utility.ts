import { utilityProcess } from 'electron';
import type { EngineStatusInfo } from '../api/entities';
import { askChild } from '../core/thread/ask-child';
import { ENGINE_PROBE_LABEL, ENGINE_PROBE_TIMEOUT_MS, readProbeAnswer } from '../service/engine-probe';
import { utilityChild } from '../core/thread/utility-child';

/**
 * The engine probe (engine-probe.entry.ts) in an Electron utility process.
 * Like the CLI's child process, it keeps tfjs-node's addon out of the main
 * process; a loaded libtensorflow keeps the probe alive, so askChild ends it.
 */
export function probeEnginesInUtilityProcess(scriptPath: string, timeoutMs = ENGINE_PROBE_TIMEOUT_MS): Promise<EngineStatusInfo[]> {
  return askChild(() => utilityChild(utilityProcess, scriptPath, [], 'VGG Workbench engine probe'), readProbeAnswer, {
    timeoutMs,
    label: ENGINE_PROBE_LABEL,
  });
}
