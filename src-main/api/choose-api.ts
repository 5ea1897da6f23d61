import { createElectronApi } from './electron-api';
import type { WorkbenchBridge } from './electron-bridge';
import { createWebSocketApi, TOKEN_PARAM } from './websocket-api';
import type { WorkbenchApi } from './workbench-api';

export interface ApiEnvironment {
  /** window.workbench, which only the Electron preload defines. */
  bridge?: WorkbenchBridge;
  /** window.location: browser mode talks to the server the page came from. */
  location: { origin: string; search: string };
  /**
   * Browser mode only: the event socket connected (true) or dropped (false).
   * Electron's IPC does not drop, so it never calls this.
   */
  onConnectionChange?: (connected: boolean) => void;
}

/**
 * The renderer's start-up choice: the preload's bridge inside Electron, the
 * page's own server in a browser tab (with the token from `?token=` when the
 * server printed one; without it, the cookie set on that first load serves).
 */
export function chooseWorkbenchApi(env: ApiEnvironment): WorkbenchApi {
  if (env.bridge) return createElectronApi(env.bridge);
  const token = new URLSearchParams(env.location.search).get(TOKEN_PARAM) ?? undefined;
  return createWebSocketApi(env.location.origin, token, env.onConnectionChange ? { onConnectionChange: env.onConnectionChange } : {});
}
