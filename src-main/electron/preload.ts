/**
 * The preload: runs sandboxed, before the page, and exposes exactly one
 * object, window.workbench (WorkbenchBridge). The page never sees
 * ipcRenderer, only a call and an event feed on two fixed channels.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  BRIDGE_GLOBAL,
  CALL_CHANNEL,
  EVENT_CHANNEL,
  METHOD_NAME_PATTERN,
  type WorkbenchBridge,
} from '../api/electron-bridge';

const bridge: WorkbenchBridge = {
  call(method, request) {
    if (typeof method !== 'string' || !METHOD_NAME_PATTERN.test(method)) {
      return Promise.reject(new TypeError(`not an API method name: ${String(method)}`));
    }
    return ipcRenderer.invoke(CALL_CHANNEL, method, request) as Promise<unknown>;
  },
  onEvent(listener) {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    // The IPC event (with its sender) stays here; the page gets the payload only.
    const forward = (_event: IpcRendererEvent, raw: unknown): void => listener(raw);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
