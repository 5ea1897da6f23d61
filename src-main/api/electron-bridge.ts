/**
 * The Electron preload's side of the contract. This file imports nothing,
 * so the sandboxed preload that bundles it stays a few lines of code.
 */

/** IPC channels between the preload and the main process; the only two there are. */
export const CALL_CHANNEL = 'workbench:call';
export const EVENT_CHANNEL = 'workbench:event';

/** The name under which the preload exposes its one object on `window`. */
export const BRIDGE_GLOBAL = 'workbench';

/** `area.verb`: all the preload checks of a method name; the main process checks the rest. */
export const METHOD_NAME_PATTERN = /^[a-z]+\.[A-Za-z]+$/;

/**
 * The one object the preload exposes (window.workbench): a call and an event
 * feed, nothing else of Electron. It passes raw values; the main process
 * validates what it receives and createElectronApi validates what comes back.
 */
export interface WorkbenchBridge {
  call(method: string, request: unknown): Promise<unknown>;
  onEvent(listener: (raw: unknown) => void): () => void;
}
