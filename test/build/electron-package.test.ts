// electron-builder packs the app (`--dir`, no installer) around a stub Electron
// "binary" that carries the fuse wire's sentinel, so what the packaged app
// ships is checked here without Electron's real download: the SQLite build for
// Electron, Node's-ABI-free N-API addons as they are, Dawn's prebuild for this
// OS only, no sources or tests, and the fuses flipped as electron-builder.yml says.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronSqliteDir } from '../../src-main/electron/sqlite-binding';

const root = fileURLToPath(new URL('../../', import.meta.url));
const electronVersion = (JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
const abi = readFileSync(join(root, 'node_modules/electron/abi_version'), 'utf8').trim();
const target = { abi, platform: process.platform, arch: process.arch };
const dir = mkdtempSync(join(tmpdir(), 'electron-package-'));

// Electron's fuse wire: sentinel, version 1, length, then one byte per fuse ('1' on, '0' off).
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSES = 8;
const stubDist = join(dir, 'electron-dist');
mkdirSync(stubDist);
writeFileSync(
  join(stubDist, 'electron'),
  Buffer.concat([Buffer.from(`#!/bin/sh\necho stub\n# ${SENTINEL}`), Buffer.from([1, FUSES]), Buffer.from('1'.repeat(FUSES)), Buffer.from('\n')]),
  { mode: 0o755 },
);

// The SQLite build for Electron comes from `npm run electron:sqlite`, which needs the network;
// where none was made, a stand-in (Node's addon) is put there for this test and removed after.
const sqliteDir = electronSqliteDir(root, target);
const placed = !existsSync(join(sqliteDir, 'better_sqlite3.node'));
if (placed) {
  mkdirSync(sqliteDir, { recursive: true });
  copyFileSync(join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), join(sqliteDir, 'better_sqlite3.node'));
}
after(() => {
  if (placed) rmSync(sqliteDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

test('the packaged app carries SQLite for Electron, Dawn for its own OS, and no sources', { timeout: 300_000 }, () => {
  if (!existsSync(join(root, 'out/main/index.js'))) {
    const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr || build.stdout);
  }
  const output = join(dir, 'dist');
  const pack = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/electron-builder/cli.js'),
      '--dir',
      `-c.electronDist=${stubDist}`,
      `-c.electronVersion=${electronVersion}`,
      `-c.directories.output=${output}`,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
  );
  assert.equal(pack.status, 0, `${pack.stdout}\n${pack.stderr}`);
  const unpacked = join(output, readdirSync(output).find((name) => name.endsWith('-unpacked')) ?? 'missing');
  const app = join(unpacked, 'resources', 'app');

  assert.deepEqual(readdirSync(app).sort(), ['native', 'node_modules', 'out', 'package.json', 'resources']);
  const shipped = (path: string) => existsSync(join(app, path));
  assert.deepEqual(readdirSync(join(app, 'resources')).sort(), ['examples', 'pytorch'], 'the example runs and the pytorch trainer, not the README pictures');
  assert.ok(shipped('resources/examples/example-runs.json.gz'));
  // The pytorch engine starts it with the user's Python (core/engine/pytorch/trainer-script.ts finds it here).
  assert.ok(shipped('resources/pytorch/vgg_trainer.py'));
  assert.ok(shipped(`native/${sqliteDir.split('/').pop()}/better_sqlite3.node`), 'SQLite built for Electron');
  assert.ok(shipped('out/main/index.js'));
  assert.ok(shipped('node_modules/better-sqlite3/package.json'));
  assert.ok(shipped(`node_modules/webgpu/dist/${process.platform}-${process.arch}/dawn.node`), "Dawn's prebuild for this OS");
  const dawn = readdirSync(join(app, 'node_modules/webgpu/dist'));
  assert.deepEqual(dawn.filter((name) => !name.startsWith(`${process.platform}-`)), [], 'no other OS prebuilds');
  assert.ok(!shipped('node_modules/electron'), 'the electron npm package is the app itself, not copied in again');

  // Electron's fuse order: runAsNode, cookie encryption, NODE_OPTIONS, --inspect, asar integrity,
  // only-asar, browser V8 snapshot (not set: stays as shipped), file-protocol privileges.
  const binary = readFileSync(join(unpacked, 'vgg-workbench')); // linux.executableName
  const at = binary.indexOf(SENTINEL) + SENTINEL.length + 2;
  assert.equal(binary.subarray(at, at + FUSES).toString('latin1'), '01000010');
});
