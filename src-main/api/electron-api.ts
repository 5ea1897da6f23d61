import type { WorkbenchBridge } from './electron-bridge';
import { createRemoteApi } from './remote-api';
import type { WorkbenchApi } from './workbench-api';

/** The renderer's client inside Electron: the preload's bridge, with every reply and event validated. */
export function createElectronApi(bridge: WorkbenchBridge): WorkbenchApi {
  return createRemoteApi({
    send: (method, request) => bridge.call(method, request),
    listen: (onEvent) => bridge.onEvent(onEvent),
  });
}
