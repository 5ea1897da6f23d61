import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { errorMessage } from '../../../shared/error-message';
import { suggestionsOf } from '../../../shared/refusal';
import type { EngineRunContext, EngineRunResult } from '../engine-row';
import { reapOnExit } from './child-reaper';
import { discoverTorchOnce } from './discover-torch';
import { describeCandidate } from './find-python';
import { tailLines } from './probe-python';
import { MAX_LINE_CHARS, parseTrainerLine, TrainerLineError } from './trainer-lines';
import { trainerJob } from './trainer-job';

/** Characters of the script's stderr kept for a crash's message. */
const STDERR_TAIL_CHARS = 4000;

/**
 * Runs one run through the trainer script with the discovered Python
 * (docs/pytorch-protocol.md): writes the job on its stdin, validates every
 * stdout line with the event schema, hands on checkpoints and the confusion
 * matrix, forwards a cancel, and records a crash as a failed run with the
 * tail of its stderr. Never throws: every end is an event.
 */
export async function runWithTorch(context: EngineRunContext): Promise<EngineRunResult> {
  const { config, emit, signal } = context;
  const fail = (error: unknown): EngineRunResult => {
    const suggestions = suggestionsOf(error);
    emit({ type: 'error', time: Date.now(), message: errorMessage(error), ...(suggestions.length > 0 ? { suggestions } : {}) });
    return { status: 'failed', epochsDone: 0 };
  };

  let job;
  let torch;
  try {
    torch = await discoverTorchOnce();
    const device = config.device === undefined || config.device === 'auto' ? torch.probe.device : config.device;
    const seen = torch.probe.devices ?? [torch.probe.device];
    if (!seen.includes(device)) {
      throw new Error(`config.device: torch ${torch.probe.torch} in ${describeCandidate(torch.python)} sees no ${device} device (it sees ${seen.join(', ')}); use --device ${seen[0]} or auto`);
    }
    // On the CPU the run lives in the machine's memory: today's RAM rule. On a GPU the script checks mem_get_info against memoryBytes.
    if (device === 'cpu') context.checkMemory();
    job = await trainerJob(context, context.estimatedBytes);
  } catch (error) {
    return fail(error);
  }
  if (signal.aborted) {
    emit({ type: 'done', time: Date.now(), status: 'cancelled', epochs: context.resume ? context.resume.epoch + 1 : 0, seconds: 0 });
    return { status: 'cancelled', epochsDone: context.resume ? context.resume.epoch + 1 : 0 };
  }

  const python = torch.python;
  const child = spawn(python.command, [...python.args, '-u', torch.script], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  reapOnExit(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS)));
  // The script may exit before reading all we write (a crash): that is reported by its exit, not as an EPIPE here.
  child.stdin.on('error', () => undefined);
  child.stdin.write(`${JSON.stringify(job)}\n`);

  const cancel = (): void => {
    if (child.exitCode === null && !child.stdin.destroyed) child.stdin.write('{"type":"cancel"}\n');
  };
  signal.addEventListener('abort', cancel, { once: true });

  let epochsDone = context.resume ? context.resume.epoch + 1 : 0;
  let confusion: number[][] | undefined;
  let ended: 'completed' | 'cancelled' | 'failed' | undefined;

  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  const spawnFailure = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, sig) => resolve({ code, signal: sig })),
  );

  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      if (line.length > MAX_LINE_CHARS) throw new TrainerLineError(`the pytorch trainer wrote a line of ${line.length} characters`);
      const message = parseTrainerLine(line);
      switch (message.type) {
        case 'event': {
          // Which Python trained the run is recorded with it: "cpu · x86_64 · fp32 · /usr/bin/python3".
          const event =
            message.event.type === 'start'
              ? { ...message.event, engine: { ...message.event.engine, detail: withPython(message.event.engine.detail, describeCandidate(python)) } }
              : message.event;
          if (event.type === 'epoch') epochsDone = Math.max(epochsDone, event.epoch + 1);
          if (event.type === 'done') ended = event.status;
          if (event.type === 'error') ended = 'failed';
          emit(event);
          break;
        }
        case 'checkpoint':
          context.checkpointWritten({ epoch: message.epoch, path: message.path, bytes: message.bytes, sha256: message.sha256 });
          break;
        case 'evaluation':
          confusion = message.confusion;
          break;
        case 'log':
          process.stderr.write(`pytorch: ${message.message}\n`);
          break;
      }
    }
  } catch (error) {
    // A line we cannot trust ends the run: what follows it could not be trusted either.
    child.kill('SIGKILL');
    signal.removeEventListener('abort', cancel);
    await exited;
    return { ...fail(error instanceof TrainerLineError ? error : new Error(`reading the pytorch trainer's output failed: ${errorMessage(error)}`)), epochsDone };
  }

  const exit = await Promise.race([exited, spawnFailure.then((error) => ({ error }))]);
  signal.removeEventListener('abort', cancel);
  child.stdin.end();
  if ('error' in exit) return { ...fail(new Error(`could not start ${describeCandidate(python)}: ${exit.error.message}`)), epochsDone };
  if (ended === 'completed' || ended === 'cancelled') return { status: ended, epochsDone, ...(confusion ? { confusion } : {}) };
  if (ended === 'failed') return { status: 'failed', epochsDone };
  const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
  const tail = stderr.trim() ? `: ${tailLines(stderr, 8)}` : ' and wrote nothing on stderr';
  return { ...fail(new Error(`the pytorch trainer (${describeCandidate(python)}) ${how} before the run ended${tail}`)), epochsDone };
}

function withPython(detail: string | undefined, python: string): string {
  if (detail === undefined || detail === '') return python;
  return detail.includes(python) ? detail : `${detail} · ${python}`;
}
