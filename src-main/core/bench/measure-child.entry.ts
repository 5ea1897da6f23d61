/**
 * Entry of the process that measures one workload (forked by measureInChildProcess):
 * argv is `<workload> <engine> <steps|-> <threads|->` ('-': the default);
 * it answers over the IPC channel.
 */
import { selectEngine } from '../engine/engines';
import { engineChoiceSchema } from '../../shared/train/run-config';
import { measureWorkload } from './measure';
import { findWorkload } from './workloads';
import type { ChildMessage } from './measure-in-child-process';
import { errorMessage } from '../../shared/error-message';

async function main(send: (message: ChildMessage) => void): Promise<void> {
  const [name = '', engineArg = '', stepsArg = '-', threadsArg = '-'] = process.argv.slice(2);
  try {
    const workload = findWorkload(name);
    const engine = await selectEngine(engineChoiceSchema.parse(engineArg), threadsArg === '-' ? {} : { threads: Number(threadsArg) });
    send({ type: 'engine', engine });
    const measurement = await measureWorkload(workload, {
      engine,
      ...(stepsArg === '-' ? {} : { steps: Number(stepsArg) }),
      onStep: (done, total) => send({ type: 'step', done, total }),
    });
    send({ type: 'result', measurement });
  } catch (error) {
    send({ type: 'error', message: errorMessage(error) });
  }
}

// Only as a forked child: importing this file elsewhere must not start a measurement.
const channel = process.send?.bind(process);
if (channel) {
  void main((message) => channel(message)).finally(() => process.disconnect());
}
