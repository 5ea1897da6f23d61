import { spawn } from 'node:child_process';
import { platform } from 'node:os';

/** How long an opener may take to fail: xdg-open with no browser exits 3 within a second or two. */
const FAILURE_WINDOW_MS = 5_000;

/**
 * Opens a URL in the default browser with the platform's own opener. Resolves
 * false when there is none, or when it exits with an error (xdg-open on a
 * headless server exits 3 without opening anything): the caller then says so
 * and prints the URL. An opener still running after a few seconds (one that
 * waits for the browser) counts as opened.
 */
export function openInBrowser(url: string, failureWindowMs = FAILURE_WINDOW_MS): Promise<boolean> {
  const [command, args] =
    platform() === 'darwin'
      ? ['open', [url]]
      : platform() === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  return openWith(command, args, failureWindowMs);
}

/** Runs `command args` detached and reports whether it opened (exported for the test, which passes `false`/`true`). */
export function openWith(command: string, args: readonly string[], failureWindowMs = FAILURE_WINDOW_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (opened: boolean): void => {
      clearTimeout(timer);
      child.unref();
      resolve(opened);
    };
    child.once('error', () => settle(false));
    child.once('exit', (code) => settle(code === 0));
    child.once('spawn', () => {
      timer = setTimeout(() => settle(true), failureWindowMs);
      // The timer must not keep a short CLI command alive on its own.
      timer.unref();
    });
  });
}
