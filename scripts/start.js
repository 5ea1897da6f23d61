#!/usr/bin/env node
// `npm start`: builds the app with electron-vite and launches it in Electron.
// `npm install` keeps Electron's package but never runs its download
// (package.json's allowScripts says false): where GitHub cannot be reached, a
// failed download would make npm drop the whole optional package. So the first
// `npm start` fetches the binary itself, with Electron's own installer (which
// honours ELECTRON_MIRROR and its cache), under a time limit. Where there is
// still no binary it says why, names the fix, and starts the browser mode
// instead: the same build and API served on loopback, opened in the default
// browser. Extra arguments go to `serve` (for example `npm start -- --port 8000`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronPackageDir, missingElectronLine } from './electron-package.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BROWSER_MODE = ['src-main/cli/main.ts', 'serve', '--open'];
/** Electron's installer gets this long before the browser mode starts instead (a proxy may hang, not refuse). */
const FETCH_TIMEOUT_MS = Number(process.env.VGG_WORKBENCH_ELECTRON_FETCH_TIMEOUT_MS) || 180_000;

/** The binary that electron/index.js would name, or undefined where none is unpacked (read afresh: no require cache). */
function electronBinary(packageDir) {
  let executable;
  try {
    executable = readFileSync(join(packageDir, 'path.txt'), 'utf8');
  } catch {
    return undefined;
  }
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist');
  const binary = join(distDir, executable);
  return existsSync(binary) ? binary : undefined;
}

/** The first line of the installer's error, without its stack: "RequestError: getaddrinfo ENOTFOUND github.com". */
function firstErrorLine(text) {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at '));
  return line ? line.slice(0, 300) : undefined;
}

/** Runs Electron's own installer in its package, with a time limit. Resolves to undefined on success, else the reason. */
function fetchElectronBinary(packageDir) {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const from = process.env.ELECTRON_MIRROR ? `ELECTRON_MIRROR ${process.env.ELECTRON_MIRROR}` : "Electron's GitHub releases";
  process.stderr.write(
    `Electron's binary is not here yet: fetching Electron ${version} from ${from} with its own installer (at most ${Math.round(FETCH_TIMEOUT_MS / 1000)} s)...\n`,
  );
  const env = { ...process.env };
  // This is the download the user asked for by starting the app.
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageDir, 'install.js')], { cwd: packageDir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      if (stderr.length < 20_000) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), FETCH_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(`the download did not finish within ${Math.round(FETCH_TIMEOUT_MS / 1000)} s`);
      else if (code !== 0) resolve(firstErrorLine(stderr) ?? `Electron's installer exited with code ${code}`);
      else resolve(undefined);
    });
  });
}

/** The Electron binary's path, fetched now if need be, or why there is none and the fix. */
async function findElectron() {
  const packageDir = electronPackageDir(root);
  if (!packageDir) return { problem: missingElectronLine(), fix: 'ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install' };
  const present = electronBinary(packageDir);
  if (present) return { binary: present };
  const failure = await fetchElectronBinary(packageDir);
  const fetched = failure ? undefined : electronBinary(packageDir);
  if (fetched) {
    process.stderr.write(`Fetched Electron's binary: ${fetched}\n`);
    return { binary: fetched };
  }
  return {
    problem: `Electron's binary could not be downloaded (${failure ?? 'the installer unpacked no binary'}).`,
    fix: 'set ELECTRON_MIRROR to a mirror you can reach (https://www.electronjs.org/docs/latest/tutorial/installation#mirror) and run npm start again',
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
  // Without Electron's package the build cannot run at all: one line and the fix, not a page of module errors.
  if (!electronPackageDir(root)) {
    process.stderr.write(`${missingElectronLine()}\n`);
    return 1;
  }
  // Both the window and the browser mode show the built renderer (about 20 s).
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    process.stderr.write('The build failed (see above); nothing was started.\n');
    return build.status ?? 1;
  }
  const electron = await findElectron();
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
