import type { WorkbenchBridge } from '../../src-main/api/electron-bridge';
import type { ChartInspector } from './components/charts/chart-inspector';

declare global {
  interface Window {
    /** Defined by the Electron preload only; absent in a browser tab. */
    workbench?: WorkbenchBridge;
    /** The charts' series, for end-to-end tests (main.ts). */
    vggWorkbenchCharts?: ChartInspector;
  }
}
