/**
 * A placeholder entry so electron-vite has a renderer to build: it picks the
 * API for this environment and shows that it answers. The Vue app replaces it.
 */
import { chooseWorkbenchApi } from '../../src-main/api/choose-api';

const api = chooseWorkbenchApi({ bridge: window.workbench, location: window.location });
const root = document.querySelector('#app')!;
root.textContent = 'VGG Workbench: connecting…';
api.call('dataset.status', {}).then(
  (status) => {
    const where = status.location.kind === 'found' ? `found in ${status.location.dir}` : 'not downloaded yet';
    root.textContent = `VGG Workbench is running. Fashion-MNIST: ${where}.`;
  },
  (error: unknown) => {
    root.textContent = `VGG Workbench cannot reach its service: ${error instanceof Error ? error.message : String(error)}`;
  },
);
