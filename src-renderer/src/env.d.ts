import type { WorkbenchBridge } from '../../src-main/api/electron-bridge';

declare global {
  interface Window {
    /** Defined by the Electron preload only; absent in a browser tab. */
    workbench?: WorkbenchBridge;
  }
}
