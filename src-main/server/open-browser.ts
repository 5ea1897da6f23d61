import { spawn } from 'node:child_process';
import { platform } from 'node:os';

/**
 * Opens a URL in the default browser with the platform's own opener. Resolves
 * false when there is none (a headless server): the caller prints the URL anyway.
 */
export function openInBrowser(url: string): Promise<boolean> {
  const [command, args] =
    platform() === 'darwin'
      ? ['open', [url]]
      : platform() === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
