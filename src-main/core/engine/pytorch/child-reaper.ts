import type { ChildProcess } from 'node:child_process';

const living = new Set<ChildProcess>();
let hooked = false;

/**
 * Kills `child` if this process (or worker thread) exits before it does. The
 * script also exits when its stdin closes (docs/pytorch-protocol.md), which is
 * what covers a SIGKILL of this process, when no exit handler runs.
 */
export function reapOnExit(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const running of living) running.kill('SIGKILL');
    });
  }
  living.add(child);
  child.once('exit', () => living.delete(child));
}
