/**
 * The desktop app's main process: one ExperimentService (run store, queue,
 * training worker) served over IPC to one sandboxed window. Built by
 * electron-vite (electron.vite.config.ts); `npm start` builds and runs it.
 */
import { app, dialog, session } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_NAME } from '../core/paths';
import { ExperimentService } from '../service/experiment-service';
import { PredictionWorkerSource } from '../service/prediction-worker-source';
import engineProbePath from '../service/engine-probe.entry?modulePath';
import engineSpeedPath from '../service/engine-speed.entry?modulePath';
import predictionWorkerPath from '../service/prediction-worker.entry?modulePath';
import importWorkerPath from '../service/import-worker.entry?modulePath';
import trainingWorkerPath from '../worker/training-worker.entry?modulePath';
import replicaWorkerPath from '../core/train/replica-worker.entry?modulePath';
import { REPLICA_WORKER_ENV } from '../core/thread/replica-entry';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { probeEnginesInUtilityProcess } from './engine-probe-utility';
import { measureSpeedInUtilityProcess } from './engine-speed-utility';
import { serveApiOverIpc } from './ipc-transport';
import { sqliteBindingForMain } from './sqlite-binding';
import { createMainWindow } from './main-window';
import { guardWebContents } from './navigation-guard';
import { rendererLocation } from './renderer-location';
import { errorMessage } from '../shared/error-message';
import { queueSettingsFile } from './queue-settings-file';
import { queueUrlFor } from '../service/queue-settings';

const mainDir = fileURLToPath(new URL('.', import.meta.url));
const renderer = rendererLocation(mainDir, { packaged: app.isPackaged, devServerUrl: process.env.ELECTRON_RENDERER_URL });
const preloadPath = join(mainDir, '..', 'preload', 'index.cjs');

// userData becomes <appData>/VGG Workbench: the folder core/paths.ts's appDataDir() names,
// so the desktop app and the CLI share one database. VGG_WORKBENCH_HOME moves both.
app.setName(APP_NAME);
if (process.env.VGG_WORKBENCH_HOME) app.setPath('userData', process.env.VGG_WORKBENCH_HOME);
app.enableSandbox();
// Before ready: the built renderer is served as app://workbench/ (app-protocol.ts).
registerAppScheme();

let service: ExperimentService | undefined;
let stopIpc: (() => void) | undefined;

if (!app.requestSingleInstanceLock()) {
  // A second instance would open a second worker on the same database: hand over to the first.
  app.quit();
} else {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, renderer.isOurs));
  app.on('second-instance', () => focusOrOpenWindow());
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (!service) return;
    // Cancel the queue and stop the worker before exiting, so no run is left `running`.
    event.preventDefault();
    const closing = service;
    service = undefined;
    stopIpc?.();
    closing
      .close()
      .catch((error: unknown) => console.error('closing the experiment service failed:', error))
      .finally(() => app.quit());
  });
  app.whenReady().then(start, (error: unknown) => fail('VGG Workbench could not start', error));
}

function start(): void {
  // The workbench needs no camera, microphone, notifications or the like: only
  // writing to the clipboard (copy a config, a table), and only for our page.
  const allowed = (permission: string, url: string): boolean =>
    permission === 'clipboard-sanitized-write' && renderer.isOurs(url);
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(allowed(permission, details.requestingUrl)),
  );
  // A check names only an origin: judge by the page's own URL.
  session.defaultSession.setPermissionCheckHandler(
    (contents, permission) => contents !== null && allowed(permission, contents.getURL()),
  );
  const userData = app.getPath('userData');
  const sqliteBinding = sqliteBindingForMain({
    packaged: app.isPackaged,
    appPath: app.getAppPath(),
    target: { abi: process.versions.modules, platform: process.platform, arch: process.arch },
    env: process.env,
  });
  // The training worker (and its copy of this environment) finds the bundled replica entry here.
  process.env[REPLICA_WORKER_ENV] = replicaWorkerPath;
  // The Queue panel's saved queue (password decrypted by safeStorage): the app records its runs from it.
  const queueSettings = queueSettingsFile(join(userData, 'queue.json'));
  let savedQueue: ReturnType<typeof queueSettings.load>;
  try {
    savedQueue = queueSettings.load();
  } catch (error) {
    console.error('the saved queue settings could not be read; starting without a queue:', errorMessage(error));
  }
  try {
    service = ExperimentService.open({
      queueSettings,
      ...(savedQueue ? { queueSettingsAtOpen: savedQueue, queueUrl: queueUrlFor(savedQueue) } : {}),
      databasePath: join(userData, 'runs.sqlite'),
      // SQLite built for Electron's ABI, beside Node's build rather than over it (sqlite-binding.ts).
      storeOptions: { nativeBinding: sqliteBinding },
      dataDir: userData,
      workerPath: trainingWorkerPath,
      predictions: new PredictionWorkerSource(predictionWorkerPath),
      importWorkerPath,
      // A utility process, not ELECTRON_RUN_AS_NODE: the packaged app has that fuse off.
      probeEngines: () => probeEnginesInUtilityProcess(engineProbePath),
      measureSpeed: (engine) => measureSpeedInUtilityProcess(engineSpeedPath, engine),
    });
  } catch (error) {
    fail(
      'VGG Workbench cannot open its run database',
      error,
      /NODE_MODULE_VERSION|was compiled against a different Node\.js version|Cannot find module|cannot open shared object/.test(String(error))
        ? `The app opens SQLite through its Electron build, ${sqliteBinding}, which is missing or built for another runtime. ` +
            (app.isPackaged
              ? 'Reinstall the app.'
              : '`npm start` builds it (`npm run electron:sqlite` alone); or use `vgg-workbench serve --open`.')
        : undefined,
    );
    return;
  }
  if (renderer.dir !== undefined) serveRenderer(renderer.dir);
  stopIpc = serveApiOverIpc(service, renderer.isOurs);
  focusOrOpenWindow();
  app.on('activate', () => focusOrOpenWindow());
}

let mainWindow: ReturnType<typeof createMainWindow> | undefined;
function focusOrOpenWindow(): void {
  if (!service) return;
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
    return;
  }
  mainWindow = createMainWindow(preloadPath, renderer.url);
}

function fail(title: string, error: unknown, fix?: string): void {
  const message = errorMessage(error);
  dialog.showErrorBox(title, fix ? `${message}\n\n${fix}` : message);
  app.exit(1);
}
