import { utilityProcess } from 'electron';
import type { EngineChoice } from '../shared/train/run-config';
import { readSpeedAnswer, type SpeedMeasurer } from '../service/engine-speed';

/** The speed measurement (engine-speed.entry.ts) in an Electron utility process, as the engine probe (engine-probe-utility.ts). */
export function measureSpeedInUtilityProcess(scriptPath: string, engine: EngineChoice, timeoutMs = 180_000): ReturnType<SpeedMeasurer> {
  return new Promise((resolve, reject) => {
    const child = utilityProcess.fork(scriptPath, [engine], { serviceName: 'VGG Workbench speed measurement', stdio: 'ignore' });
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      finish();
    };
    const timer = setTimeout(() => settle(() => reject(new Error(`the speed measurement did not answer within ${timeoutMs / 1000} s`))), timeoutMs);
    child.on('message', (message: unknown) =>
      settle(() => {
        try {
          resolve(readSpeedAnswer(message));
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
    child.on('exit', (code) => settle(() => reject(new Error(`the speed measurement exited (code ${code}) without an answer`))));
  });
}
