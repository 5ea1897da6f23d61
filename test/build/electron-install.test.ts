// The desktop app's install path, end to end, against a local mirror on
// 127.0.0.1 (there is no network here): the project's install policy
// (package.json's allowScripts) keeps Electron's package without running its
// download, so a failed download can never make npm drop the package; the
// first `npm start` then fetches the binary with Electron's own installer
// from ELECTRON_MIRROR, builds SQLite for Electron from a prebuild on the same
// mirror, and hands the built app to that binary instead of falling back to
// the browser mode. The "binary" is a stub script that records how it was
// started.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storedZip } from '../helpers/stored-zip';

const root = fileURLToPath(new URL('../../', import.meta.url));
const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
const electronVersion = (JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
const electronAbi = readFileSync(join(root, 'node_modules/electron/abi_version'), 'utf8').trim();
const sqliteVersion = (JSON.parse(readFileSync(join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
const platformArch = `${process.platform}-${process.arch}`;

const dir = mkdtempSync(join(tmpdir(), 'electron-install-'));
const files = new Map<string, Buffer>();
const requested: string[] = [];
let server: Server;
let mirror: string;

// Writes the argv and the SQLite binding it was handed, so the test sees what npm start launched.
const STUB = `#!/bin/sh
{ echo "cwd=$PWD"; for a in "$@"; do echo "arg=$a"; done; echo "sqlite=$VGG_WORKBENCH_SQLITE_BINDING"; } > "$STUB_LOG"
`;

before(async () => {
  const zipName = `electron-v${electronVersion}-${platformArch}.zip`;
  const zip = storedZip([
    { name: 'electron', data: Buffer.from(STUB), mode: 0o755 },
    { name: 'version', data: Buffer.from(`v${electronVersion}`) },
  ]);
  files.set(`/v${electronVersion}/${zipName}`, zip);
  files.set(`/v${electronVersion}/SHASUMS256.txt`, Buffer.from(`${createHash('sha256').update(zip).digest('hex')} *${zipName}\n`));

  // A stand-in prebuild: Node's own addon under the name prebuild-install asks for.
  const staging = join(dir, 'prebuild');
  mkdirSync(join(staging, 'build', 'Release'), { recursive: true });
  copyFileSync(join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), join(staging, 'build/Release/better_sqlite3.node'));
  const tarball = join(dir, 'prebuild.tar.gz');
  const tar = spawnSync('tar', ['-czf', tarball, '-C', staging, 'build'], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  files.set(`/v${sqliteVersion}/better-sqlite3-v${sqliteVersion}-electron-v${electronAbi}-${platformArch}.tar.gz`, readFileSync(tarball));

  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://mirror').pathname;
    requested.push(path);
    const body = files.get(path);
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' });
    response.end(body ?? 'not on this mirror');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The mirror answers from this process, so the child must run asynchronously:
 * a spawnSync would block the very event loop that serves its downloads.
 */
function runAsync(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; killOn?: RegExp }) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    // A fallback to the browser mode would serve until killed: end the whole group at once.
    const watch = () => {
      if (options.killOn?.test(stdout + stderr) && child.pid) process.kill(-child.pid, 'SIGTERM');
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), watch()));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((stderr += chunk), watch()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The environment without CI's switch, so Electron's install script really downloads. */
function downloadingEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  return { ...env, ...extra };
}

let scratchElectron: string;

test("the project's install policy keeps Electron's package and runs no download", { timeout: 240_000 }, async () => {
  assert.equal(project.allowScripts.electron, false, "package.json allowScripts keeps Electron's postinstall (its download) from running");
  const scratch = join(dir, 'app');
  mkdirSync(scratch);
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({
      name: 'install-policy-check',
      version: '1.0.0',
      private: true,
      allowScripts: project.allowScripts,
      optionalDependencies: { electron: electronVersion },
    }),
  );
  const install = await runAsync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts'], {
    cwd: scratch,
    env: downloadingEnv({ ELECTRON_MIRROR: `${mirror}/`, electron_config_cache: join(dir, 'electron-cache') }),
  });
  const output = `${install.stdout}\n${install.stderr}`;
  assert.equal(install.status, 0, output);
  scratchElectron = join(scratch, 'node_modules/electron');
  assert.ok(existsSync(join(scratchElectron, 'package.json')), `npm kept the electron package: ${output}`);
  assert.ok(!existsSync(join(scratchElectron, 'dist')), 'no binary was unpacked during the install');
  assert.deepEqual(requested, [], 'the install asked the mirror for nothing');
});

test("npm start fetches Electron's binary from ELECTRON_MIRROR, builds SQLite for Electron and hands the built app to the binary", { timeout: 420_000 }, async () => {
  assert.ok(scratchElectron, 'the install test ran first');
  const log = join(dir, 'stub.log');
  const nativeDir = join(dir, 'native');
  const start = await runAsync(process.execPath, [join(root, 'scripts/start.js')], {
    cwd: root,
    killOn: /browser mode/,
    env: downloadingEnv({
      // The scratch install's package, so the stub binary never lands in the project's own node_modules.
      VGG_WORKBENCH_ELECTRON_DIR: scratchElectron,
      ELECTRON_MIRROR: `${mirror}/`,
      // Check the zip against the mirror's SHASUMS256.txt, not the package's pinned sums of the real archive.
      electron_use_remote_checksums: '1',
      electron_config_cache: join(dir, 'electron-cache'),
      STUB_LOG: log,
      VGG_WORKBENCH_SQLITE_DIR: nativeDir,
      npm_config_better_sqlite3_binary_host: mirror,
      // prebuild-install caches downloads in npm's cache: keep the stand-in out of the real one.
      npm_config_cache: join(dir, 'npm-cache'),
    }),
  });
  const output = `${start.stdout}\n${start.stderr}`;
  assert.equal(start.status, 0, output);
  assert.doesNotMatch(output, /browser mode/);
  assert.match(output, new RegExp(`fetching Electron ${electronVersion.replaceAll('.', '\\.')} from ELECTRON_MIRROR`));
  assert.ok(requested.includes(`/v${electronVersion}/SHASUMS256.txt`), `the checksums were fetched: ${requested.join(', ')}`);
  assert.ok(requested.some((p) => p.endsWith('.zip')), `the archive was fetched: ${requested.join(', ')}`);
  assert.equal(readFileSync(join(scratchElectron, 'dist', 'electron'), 'utf8'), STUB);
  assert.match(output, new RegExp(`Building SQLite \\(better-sqlite3 ${sqliteVersion}\\) for Electron ${electronVersion.replaceAll('.', '\\.')}`));
  assert.ok(
    requested.some((p) => p.endsWith(`-electron-v${electronAbi}-${platformArch}.tar.gz`)),
    `prebuild-install asked the mirror for Electron's ABI: ${requested.join(', ')}`,
  );

  const launched = readFileSync(log, 'utf8').trim().split('\n');
  const binding = join(nativeDir, 'better_sqlite3.node');
  assert.deepEqual(launched, [`cwd=${root.replace(/\/$/, '')}`, 'arg=.', `sqlite=${binding}`]);
  assert.ok(existsSync(binding));
  const info = JSON.parse(readFileSync(join(nativeDir, 'build-info.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(
    { electron: info.electron, abi: info.abi, betterSqlite3: info.betterSqlite3, via: info.via },
    { electron: electronVersion, abi: electronAbi, betterSqlite3: sqliteVersion, via: 'prebuild' },
  );

  // The built main process opens its database through that Electron build, not node_modules' own.
  const main = readFileSync(join(root, 'out/main/index.js'), 'utf8');
  assert.match(main, /nativeBinding/);
  assert.match(main, /better-sqlite3-electron-v/);

  // A second start finds the build current and downloads nothing.
  const before = requested.length;
  const again = await runAsync(process.execPath, ['--import', 'tsx', join(root, 'scripts/electron-sqlite.ts')], {
    cwd: root,
    env: downloadingEnv({ VGG_WORKBENCH_SQLITE_DIR: nativeDir, npm_config_better_sqlite3_binary_host: mirror }),
  });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout.trim(), binding);
  assert.equal(requested.length, before);
});
