import { homedir, platform } from 'node:os';
import { join } from 'node:path';

/** The product name Electron uses for its userData folder; the CLI shares the same folder. */
export const APP_NAME = 'VGG Workbench';

/**
 * The app's data folder (database, dataset cache; checkpoints sit beside each
 * database, see core/checkpoint/checkpoint-folder.ts): the same path
 * Electron's app.getPath('userData') gives, so the CLI and the desktop app
 * share one database. VGG_WORKBENCH_HOME overrides it (tests, portable use).
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VGG_WORKBENCH_HOME) return env.VGG_WORKBENCH_HOME;
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', APP_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
  }
}

export const defaultDatabasePath = (env: NodeJS.ProcessEnv = process.env): string =>
  join(appDataDir(env), 'runs.sqlite');
