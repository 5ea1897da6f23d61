import { join } from 'node:path';

/**
 * better-sqlite3's addon links against V8's C++ API (it is not N-API), so one
 * build loads in one runtime ABI only: Node's for the CLI, the browser mode and
 * the tests, Electron's for the desktop app's main process. Node's build stays
 * where npm put it (node_modules/better-sqlite3/build); Electron's lives in a
 * folder of its own, named by ABI, platform and arch, and is opened through
 * better-sqlite3's `nativeBinding` option. Nobody rebuilds back and forth.
 */
export interface RuntimeTarget {
  /** `process.versions.modules` of the runtime that will load the addon (Electron 39: 140). */
  abi: string;
  platform: string;
  arch: string;
}

/** The folder, under the app's root, that holds the Electron build (`native/` is git-ignored). */
export function electronSqliteDir(appRoot: string, target: RuntimeTarget): string {
  return join(appRoot, 'native', `better-sqlite3-electron-v${target.abi}-${target.platform}-${target.arch}`);
}

export function electronSqliteBinding(appRoot: string, target: RuntimeTarget): string {
  return join(electronSqliteDir(appRoot, target), 'better_sqlite3.node');
}

/** Set by `npm start` for the unpackaged app only; see sqliteBindingForMain. */
export const SQLITE_BINDING_ENV = 'VGG_WORKBENCH_SQLITE_BINDING';

export interface MainProcessFacts {
  /** app.isPackaged */
  packaged: boolean;
  /** app.getAppPath(): the folder holding package.json and out/ */
  appPath: string;
  target: RuntimeTarget;
  env: NodeJS.ProcessEnv;
}

/**
 * The addon the main process opens its databases with. The packaged app takes
 * only the build it ships, whatever the environment says (an environment
 * variable naming a native library to load would be a way in). The unpackaged
 * app (`npm start`, which builds it first) may be told another path by
 * start.js, so tests can point it at a temporary folder.
 */
export function sqliteBindingForMain(facts: MainProcessFacts): string {
  const fromStart = facts.env[SQLITE_BINDING_ENV];
  if (!facts.packaged && fromStart) return fromStart;
  return electronSqliteBinding(facts.appPath, facts.target);
}
