/**
 * Measures one engine's training speed (core/bench/engine-speed.ts) in a
 * process of its own and sends it to the parent (engine-speed.ts), for the
 * same reason as the engine probe: tfjs-node's addon loads once per process,
 * and the main process must leave it to the training worker.
 * argv: `<engine>` (auto, wasm, ...).
 */
import { measureEngineSpeed } from '../core/bench/engine-speed';
import { engineChoiceSchema } from '../shared/train/run-config';
import { errorMessage } from '../shared/error-message';

/** Set in an Electron utility process (electron/engine-speed-utility.ts). */
const parentPort = (process as NodeJS.Process & { parentPort?: { postMessage(message: unknown): void } }).parentPort;

function answer(message: unknown): void {
  if (parentPort) {
    parentPort.postMessage(message);
    return;
  }
  if (!process.send) {
    process.stdout.write(`${JSON.stringify(message)}\n`);
    process.exit(0);
  }
  process.send(message, () => process.exit(0));
}

const engine = engineChoiceSchema.safeParse(process.argv[2] ?? 'auto');
if (!engine.success) answer({ error: `unknown engine ${JSON.stringify(process.argv[2])}` });
else measureEngineSpeed(engine.data).then(answer, (error: unknown) => answer({ error: errorMessage(error) }));
