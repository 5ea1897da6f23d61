import type { AskedChild } from './ask-child';

/**
 * The part of an Electron utility process askChild uses, typed here so core
 * needs no Electron import: Electron's `UtilityProcess` fits it.
 */
export interface UtilityProcessLike {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
  readonly stderr: NodeJS.ReadableStream | null;
  kill(): boolean;
}

/** Electron's `utilityProcess` module, as the main process hands it in. */
export interface UtilityProcessModule {
  fork(modulePath: string, args: string[], options: { serviceName: string; stdio: Array<'pipe' | 'ignore' | 'inherit'> }): UtilityProcessLike;
}

/**
 * askChild's adapter for an Electron utility process: a Node process of
 * Electron's own that needs no ELECTRON_RUN_AS_NODE, so the packaged app can
 * turn the RunAsNode fuse off (docs/packaging.md). Its stderr is piped so an
 * error says why the child died, as the CLI's does.
 */
export function utilityChild(processes: UtilityProcessModule, modulePath: string, args: readonly string[], serviceName: string): AskedChild {
  const child = processes.fork(modulePath, [...args], { serviceName, stdio: ['ignore', 'ignore', 'pipe'] });
  return {
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', (code) => listener(`exited with code ${code}`)),
    onError: (listener) => void child.on('error', (type, location) => listener(new Error(`${type} at ${location}`))),
    onStderr: (listener) =>
      void child.stderr?.on('data', (chunk: Buffer | string) => listener(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))),
    kill: () => void child.kill(),
  };
}
