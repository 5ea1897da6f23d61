#!/usr/bin/env node
// `npm start`: builds the app with electron-vite and launches it in Electron.
// Where Electron's binary is missing (an offline install, or one with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1, skips its download), it
// says so, names the fix, and starts the browser mode instead: the same build and
// API served on loopback, opened in the default browser. Extra arguments go to
// `serve` (for example `npm start -- --port 8000`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const BROWSER_MODE = ['src-main/cli/main.ts', 'serve', '--open'];

/** The Electron binary's path, or why there is none. */
function findElectron() {
  let packageDir;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { problem: 'the electron package is not installed (it is an optional dependency).', fix: 'npm install' };
  }
  let binary;
  try {
    // electron/index.js exports the binary's path, and throws when the download never happened.
    binary = require('electron');
  } catch {
    binary = undefined;
  }
  if (typeof binary === 'string' && existsSync(binary)) return { binary };
  return {
    problem: `the Electron binary was never downloaded (${join(packageDir, 'dist')} is missing).`,
    fix: `node ${join('node_modules', 'electron', 'install.js')}   (needs the network; or: npm rebuild electron)`,
  };
}

/** The name src-main/electron/sqlite-binding.ts reads (unpackaged app only). */
const SQLITE_BINDING_ENV = 'VGG_WORKBENCH_SQLITE_BINDING';

/**
 * better-sqlite3 built for Electron's ABI, in native/ beside Node's build
 * (scripts/electron-sqlite.ts): built or downloaded once, then reused until
 * Electron or better-sqlite3 changes. Returns its path, or why there is none.
 */
function ensureElectronSqlite() {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'electron-sqlite.ts')], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const binding = result.status === 0 ? result.stdout.trim().split('\n').pop() : undefined;
  if (binding && existsSync(binding)) return { binding };
  return { problem: 'SQLite (better-sqlite3) could not be built for Electron (see above). `npm run electron:sqlite` tries again.' };
}

/** Serves the built renderer and the API on loopback until Ctrl+C (the CLI's `serve --open`). */
function startBrowserMode() {
  process.stderr.write(`Starting the browser mode instead: the same app, served by ${BROWSER_MODE.slice(1).join(' ')}.\n\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', ...BROWSER_MODE, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

async function main() {
  // Both the window and the browser mode show the built renderer (about 20 s).
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    process.stderr.write('The build failed (see above); nothing was started.\n');
    return build.status ?? 1;
  }
  const electron = findElectron();
  if (!electron.binary) {
    process.stderr.write(`\nCannot start the desktop app: ${electron.problem}\nFix: ${electron.fix}\n`);
    return startBrowserMode();
  }
  const sqlite = ensureElectronSqlite();
  if (!sqlite.binding) {
    process.stderr.write(`\nCannot start the desktop app: ${sqlite.problem}\n`);
    return startBrowserMode();
  }
  // ELECTRON_RUN_AS_NODE in the environment would start a plain Node instead of the app.
  const env = { ...process.env, [SQLITE_BINDING_ENV]: sqlite.binding };
  delete env.ELECTRON_RUN_AS_NODE;
  const app = spawn(electron.binary, ['.'], { cwd: root, stdio: 'inherit', env });
  return new Promise((resolve) => {
    app.on('error', (error) => {
      process.stderr.write(`Electron could not be started: ${error.message}\n`);
      resolve(startBrowserMode());
    });
    app.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 0)));
  });
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
