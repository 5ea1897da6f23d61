import { utilityProcess } from 'electron';
import type { EngineChoice } from '../shared/train/run-config';
import { askChild } from '../core/thread/ask-child';
import { readSpeedAnswer, SPEED_LABEL, SPEED_TIMEOUT_MS, type MeasuredSpeed } from '../service/engine-speed';
import { utilityChild } from '../core/thread/utility-child';

/** The speed measurement (engine-speed.entry.ts) in an Electron utility process, as the engine probe (engine-probe-utility.ts). */
export function measureSpeedInUtilityProcess(scriptPath: string, engine: EngineChoice, timeoutMs = SPEED_TIMEOUT_MS): Promise<MeasuredSpeed> {
  return askChild(() => utilityChild(utilityProcess, scriptPath, [engine], 'VGG Workbench speed measurement'), readSpeedAnswer, {
    timeoutMs,
    label: SPEED_LABEL,
  });
}
