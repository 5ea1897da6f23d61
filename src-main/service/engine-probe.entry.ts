/**
 * Probes the engines in a process of its own and sends the result to the
 * parent (engine-probe.ts). Loading @tensorflow/tfjs-node in the main
 * process would stop the training worker from ever loading it: its addon
 * loads once per process (tensorflow/tfjs#8388).
 */
import { probeEngines } from '../core/engine/engines';
import { errorMessage } from '../shared/error-message';

/** Set in an Electron utility process (the desktop app's probe, engine-probe-utility.ts). */
const parentPort = (process as NodeJS.Process & { parentPort?: { postMessage(message: unknown): void } }).parentPort;

probeEngines().then(
  (statuses) => {
    if (parentPort) {
      // The parent ends this process once it has the answer.
      parentPort.postMessage(statuses);
      return;
    }
    if (!process.send) {
      process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
      process.exit(0);
    }
    // Exit once the message is out: a loaded libtensorflow keeps the process alive.
    process.send(statuses, () => process.exit(0));
  },
  (error: unknown) => {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exit(1);
  },
);
