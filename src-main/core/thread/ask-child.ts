/**
 * The few things askChild needs of a started child process, whatever started
 * it: Node's `fork` (fork-child.ts) or Electron's `utilityProcess`
 * (electron/utility-child.ts). Each adapter maps its own events onto these.
 */
export interface AskedChild {
  /** Every message the child sends, as it came (not yet trusted). */
  onMessage(listener: (message: unknown) => void): void;
  /** The child ended: `why` reads "exited with code 1" or "was killed by SIGKILL". */
  onExit(listener: (why: string) => void): void;
  /** The child could not be started or reached (Node's 'error', Electron's FatalError). */
  onError(listener: (error: Error) => void): void;
  /** The child's stderr as text; an adapter whose child has none never calls it. */
  onStderr(listener: (text: string) => void): void;
  /** Ends the child; harmless once it has ended. */
  kill(): void;
}

/**
 * What askChild makes of each message: `{ answer }` ends the wait, `undefined`
 * is progress (keep listening), and a throw is a bad answer (its error is the
 * one the caller gets).
 */
export type ChildAnswerParser<T> = (message: unknown) => { answer: T } | undefined;

export interface AskChildOptions {
  /** A hung child is killed after this long and the ask rejects. */
  timeoutMs: number;
  /** What the child is, for errors: "the engine probe", "lenet-28-b256: the measuring process". */
  label: string;
}

/** Characters of stderr kept, and lines of it an error quotes: enough for a stack's head, not a whole log. */
export const STDERR_KEPT_CHARS = 4000;
export const STDERR_QUOTED_LINES = 5;

/** The last lines of a child's stderr, or '' when it wrote none. */
export function stderrTail(stderr: string): string {
  return stderr.trim().split('\n').slice(-STDERR_QUOTED_LINES).join('\n');
}

/**
 * Starts a child, takes its first answer, and ends it: the one way this app
 * asks a throwaway process a question (the engine probe, the speed
 * measurement, a bench workload). One kill policy: once the ask settles (an
 * answer, a bad answer, a timeout) the child is killed, since a loaded
 * libtensorflow or a wasm heap can keep it alive. One stderr tail: a child
 * that exits without an answer is reported with the last lines it wrote.
 */
export function askChild<T>(start: () => AskedChild, parse: ChildAnswerParser<T>, { timeoutMs, label }: AskChildOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let child: AskedChild;
    try {
      child = start();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    let stderr = '';
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      finish();
    };
    const timer = setTimeout(() => settle(() => reject(new Error(`${label} did not answer within ${timeoutMs / 1000} s`))), timeoutMs);
    child.onStderr((text) => (stderr = (stderr + text).slice(-STDERR_KEPT_CHARS)));
    child.onMessage((message) => {
      if (settled) return;
      let parsed: { answer: T } | undefined;
      try {
        parsed = parse(message);
      } catch (error) {
        settle(() => reject(error instanceof Error ? error : new Error(String(error))));
        return;
      }
      if (parsed) {
        const { answer } = parsed;
        settle(() => resolve(answer));
      }
    });
    child.onError((error) => settle(() => reject(new Error(`${label} could not run: ${error.message}`))));
    child.onExit((why) => {
      const tail = stderrTail(stderr);
      settle(() => reject(new Error(`${label} ${why} without an answer${tail ? `:\n${tail}` : ''}`)));
    });
  });
}
