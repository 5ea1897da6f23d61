import { spawn } from 'node:child_process';
import { fromWireJson } from '../../../api/wire-json';
import { describeCandidate, type PythonCandidate } from './find-python';
import { probeAnswerSchema, torchIsRecentEnough, type ProbeAnswer } from './probe-answer';

/** What one Python said to `vgg_trainer.py --probe`. */
export type ProbeOutcome =
  | { kind: 'ok'; answer: ProbeAnswer }
  | { kind: 'not-found' | 'no-torch' | 'no-numpy' | 'too-old' | 'failed'; detail: string };

/** Characters of stderr kept for a failure's message. */
const STDERR_TAIL = 2000;

/** The last few lines of `text`, for a message. */
export function tailLines(text: string, lines = 3): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

/**
 * Runs `<python> -u <script> --probe` and reads its one JSON line. A Python
 * without torch dies importing it (ModuleNotFoundError), which is read from
 * stderr; one that answers with a torch older than MINIMUM_TORCH is too old.
 * A probe that does not answer in `timeoutMs` (importing CUDA's torch can take
 * seconds, never minutes) is killed.
 */
export function probePython(candidate: PythonCandidate, script: string, timeoutMs = 60_000): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const who = describeCandidate(candidate);
    const child = spawn(candidate.command, [...candidate.args, '-u', script, '--probe'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const settle = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'failed', detail: `${who} did not answer the probe within ${timeoutMs / 1000} s` }), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString('utf8')).slice(-64_000)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL)));
    child.on('error', (error: NodeJS.ErrnoException) =>
      settle({ kind: error.code === 'ENOENT' || error.code === 'EACCES' ? 'not-found' : 'failed', detail: `${who}: ${error.message}` }),
    );
    child.on('close', (code, signal) => {
      // Python's own words (No module named 'torch'), or the script's when it catches the import (cannot import torch).
      if (/No module named '?torch'?|cannot import torch\b/.test(stderr)) return settle({ kind: 'no-torch', detail: `${who} has no torch` });
      if (/No module named '?numpy'?|cannot import numpy\b/.test(stderr)) return settle({ kind: 'no-numpy', detail: `${who} has no numpy` });
      const line = stdout.trim().split('\n').at(-1) ?? '';
      let parsed: ReturnType<typeof probeAnswerSchema.safeParse> | undefined;
      try {
        parsed = probeAnswerSchema.safeParse(fromWireJson(line));
      } catch {
        parsed = undefined;
      }
      if (code === 0 && parsed?.success) {
        const answer = parsed.data;
        if (!torchIsRecentEnough(answer.torch)) return settle({ kind: 'too-old', detail: `${who} has torch ${answer.torch}` });
        return settle({ kind: 'ok', answer });
      }
      const why = parsed && !parsed.success && code === 0 ? `an unreadable probe answer (${JSON.stringify(line.slice(0, 200))})` : `exit ${signal ?? `code ${code}`}`;
      settle({ kind: 'failed', detail: `${who}'s probe failed: ${why}${stderr.trim() ? `: ${tailLines(stderr)}` : ''}` });
    });
  });
}
