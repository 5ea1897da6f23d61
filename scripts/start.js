#!/usr/bin/env node
// `npm start`: builds the desktop app with electron-vite and launches it in Electron.
// Where Electron's binary is missing (an offline install skips its download), it
// says so, names the fix, and offers the browser mode, which needs no Electron.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
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

async function offerBrowserMode() {
  const command = 'npm run cli -- serve --open';
  process.stderr.write(`\nThe browser mode needs no Electron: ${command}\n`);
  if (!process.stdin.isTTY || !process.stderr.isTTY) return 1;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = (await rl.question('Start it now? [Y/n] ')).trim().toLowerCase();
  rl.close();
  if (answer !== '' && answer !== 'y' && answer !== 'yes') return 1;
  const result = spawnSync(process.execPath, ['--import', 'tsx', ...BROWSER_MODE], { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

async function main() {
  const electron = findElectron();
  if (!electron.binary) {
    process.stderr.write(`Cannot start the desktop app: ${electron.problem}\nFix: ${electron.fix}\n`);
    return offerBrowserMode();
  }
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    process.stderr.write('The build failed (see above); nothing was started.\n');
    return build.status ?? 1;
  }
  // ELECTRON_RUN_AS_NODE in the environment would start a plain Node instead of the app.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const app = spawn(electron.binary, ['.'], { cwd: root, stdio: 'inherit', env });
  return new Promise((resolve) => {
    app.on('error', (error) => {
      process.stderr.write(`Electron could not be started: ${error.message}\n`);
      resolve(offerBrowserMode());
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
