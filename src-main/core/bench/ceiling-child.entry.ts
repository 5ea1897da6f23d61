/**
 * Entry of the process that measures an engine's ceiling (forked by
 * measureCeilingIsolated): argv is `<engine> <threads|->`; it answers over IPC.
 */
import { selectEngine } from '../engine/engines';
import { engineChoiceSchema } from '../../shared/train/run-config';
import { measureCeiling, type CeilingChildMessage } from './ceiling';
import { errorMessage } from '../../shared/error-message';

async function main(send: (message: CeilingChildMessage) => void): Promise<void> {
  const [engineArg = '', threadsArg = '-'] = process.argv.slice(2);
  try {
    const engine = await selectEngine(engineChoiceSchema.parse(engineArg), threadsArg === '-' ? {} : { threads: Number(threadsArg) });
    send({ type: 'result', engine, rates: await measureCeiling() });
  } catch (error) {
    send({ type: 'error', message: errorMessage(error) });
  }
}

// Only as a forked child: importing this file elsewhere must not start a measurement.
const channel = process.send?.bind(process);
if (channel) {
  void main((message) => channel(message)).finally(() => process.disconnect());
}
