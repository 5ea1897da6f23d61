/**
 * Ends the process once stdout and stderr have handed every byte to the
 * reader. `process.exit` does not wait: into a pipe, Node's writes are
 * asynchronous, so `runs list --json | wc -c` once stopped at 65,536 bytes
 * (the pipe's buffer) while the command exited 0.
 * https://nodejs.org/api/process.html#a-note-on-process-io
 */
export async function exitAfterDrain(code: number): Promise<never> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/**
 * Resolves once everything written so far has been flushed: an empty write
 * calls back after the writes queued before it. A reader that has gone
 * (`| head`: EPIPE) or a destroyed stream resolves at once: nothing more can
 * be delivered, and waiting would hang.
 */
export function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) {
      resolve();
      return;
    }
    // An EPIPE arrives as an 'error' event too: without a listener it would throw.
    const onError = (): void => resolve();
    stream.once('error', onError);
    stream.write('', () => {
      stream.off('error', onError);
      resolve();
    });
  });
}

/** What a shell reports for a writer killed by SIGPIPE (128 + 13), as `yes | head` shows with pipefail. */
export const BROKEN_PIPE_EXIT = 141;

/**
 * A reader that stops early (`runs list | head`) closes the pipe: the next
 * write fails with EPIPE, which Node raises as an unhandled 'error' and a
 * stack trace. Nothing more can be delivered, so the process ends quietly,
 * with the status a Unix tool would have.
 */
export function exitQuietlyOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(BROKEN_PIPE_EXIT);
      throw error;
    });
  }
}
