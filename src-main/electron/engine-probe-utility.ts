import { utilityProcess } from 'electron';
import type { EngineStatusInfo } from '../api/entities';
import { answerOrReject } from '../service/engine-probe';

/**
 * The engine probe (engine-probe.entry.ts) in an Electron utility process:
 * a Node process of Electron's own that needs no ELECTRON_RUN_AS_NODE, so the
 * packaged app can turn the RunAsNode fuse off (docs/packaging.md). Like the
 * CLI's child process, it keeps tfjs-node's addon out of the main process.
 */
export function probeEnginesInUtilityProcess(scriptPath: string, timeoutMs = 180_000): Promise<EngineStatusInfo[]> {
  return new Promise((resolve, reject) => {
    const child = utilityProcess.fork(scriptPath, [], { serviceName: 'VGG Workbench engine probe', stdio: 'ignore' });
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A loaded libtensorflow keeps the probe alive: it ends once it has answered.
      child.kill();
      finish();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`the engine probe did not answer within ${timeoutMs / 1000} s`))),
      timeoutMs,
    );
    child.on('message', (message: unknown) => settle(() => answerOrReject(message, resolve, reject)));
    child.on('exit', (code) => settle(() => reject(new Error(`the engine probe exited (code ${code}) without an answer`))));
  });
}
