// `npm run electron:sqlite` (and `npm start`, before it launches Electron):
// makes sure native/better-sqlite3-electron-v<abi>-<platform>-<arch>/ holds a
// better-sqlite3 addon built for the installed Electron, leaving Node's build
// in node_modules untouched (src-main/electron/sqlite-binding.ts says why).
//
// Written here rather than through @electron/rebuild: that tool rebuilds the
// module in place, over Node's build, which is the back-and-forth this avoids.
// The steps are the ones better-sqlite3's own install runs (prebuild-install,
// then node-gyp), pointed at Electron's runtime and a scratch copy.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronSqliteDir, type RuntimeTarget } from '../src-main/electron/sqlite-binding';

const ADDON = 'better_sqlite3.node';
const STAMP = 'build-info.json';

export interface BuildInfo extends RuntimeTarget {
  betterSqlite3: string;
  electron: string;
  /** How the addon was obtained: 'prebuild' (downloaded) or 'compiled'. */
  via: 'prebuild' | 'compiled';
}

export interface ElectronFacts {
  version: string;
  abi: string;
}

/** The installed electron package's version and the ABI its binary reports (the package ships it in abi_version). */
export function installedElectron(root: string): ElectronFacts {
  const require = createRequire(join(root, 'package.json'));
  const packageDir = dirname(require.resolve('electron/package.json'));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const abi = readFileSync(join(packageDir, 'abi_version'), 'utf8').trim();
  if (!/^\d+$/.test(abi)) throw new Error(`electron ${version}'s abi_version file holds '${abi}', not an ABI number`);
  return { version, abi };
}

export function betterSqlite3Dir(root: string): string {
  return dirname(createRequire(join(root, 'package.json')).resolve('better-sqlite3/package.json'));
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Why the folder's addon cannot be used as it is, or undefined when it is current. */
export function staleReason(dir: string, wanted: Omit<BuildInfo, 'via'>): string | undefined {
  if (!existsSync(join(dir, ADDON))) return 'there is none yet';
  const info = readJson<BuildInfo>(join(dir, STAMP));
  if (!info) return `${STAMP} is missing or unreadable`;
  if (info.betterSqlite3 !== wanted.betterSqlite3) return `it was built from better-sqlite3 ${info.betterSqlite3}, now ${wanted.betterSqlite3}`;
  if (info.electron !== wanted.electron) return `it was built for Electron ${info.electron}, now ${wanted.electron}`;
  return undefined;
}

/** Builds the addon inside `packageDir` (a scratch copy of better-sqlite3): build/Release/better_sqlite3.node. */
export type AddonBuilder = (packageDir: string, target: RuntimeTarget & { electron: string }) => BuildInfo['via'];

function run(command: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: process.env });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** npm's own node-gyp: npm sets npm_config_node_gyp for scripts it runs; otherwise look beside npm. */
function nodeGypScript(): string | undefined {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const npmCli = process.env.npm_execpath;
  const candidates = [
    npmCli && join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((path): path is string => Boolean(path && existsSync(path)));
}

/** prebuild-install for Electron's runtime (better-sqlite3 publishes Electron prebuilds), else node-gyp against Electron's headers. */
export const buildForElectron: AddonBuilder = (packageDir, target) => {
  // Resolved from this repository's tree: the scratch copy has no node_modules.
  const prebuild = createRequire(import.meta.url).resolve('prebuild-install/bin.js');
  const args = ['--runtime', 'electron', '--target', target.electron, '--platform', target.platform, '--arch', target.arch];
  const downloaded = run(process.execPath, [prebuild, ...args], packageDir);
  if (downloaded.ok && existsSync(join(packageDir, 'build', 'Release', ADDON))) return 'prebuild';
  const gyp = nodeGypScript();
  if (!gyp) throw new Error(`no prebuilt addon (${lastLine(downloaded.output)}), and node-gyp was not found to compile one`);
  const compiled = run(
    process.execPath,
    [gyp, 'rebuild', '--release', '--runtime=electron', `--target=${target.electron}`, `--arch=${target.arch}`, '--dist-url=https://electronjs.org/headers'],
    packageDir,
  );
  if (!compiled.ok) {
    throw new Error(`no prebuilt addon (${lastLine(downloaded.output)}) and compiling failed (${lastLine(compiled.output)})`);
  }
  return 'compiled';
};

function lastLine(output: string): string {
  const lines = output.trim().split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-2).join(' / ') || 'no output';
}

export interface EnsureOptions {
  root: string;
  /** Where the addon goes; defaults to the app's native/ folder (electronSqliteDir). */
  dir?: string;
  electron?: ElectronFacts;
  build?: AddonBuilder;
  log?: (line: string) => void;
}

/** Returns the addon's path, building it first when missing or stale. Throws with the reason when it cannot. */
export function ensureElectronSqlite(options: EnsureOptions): string {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const electron = options.electron ?? installedElectron(options.root);
  const sourceDir = betterSqlite3Dir(options.root);
  const betterSqlite3 = (JSON.parse(readFileSync(join(sourceDir, 'package.json'), 'utf8')) as { version: string }).version;
  const target = { abi: electron.abi, platform: process.platform, arch: process.arch };
  const dir = options.dir ?? electronSqliteDir(options.root, target);
  const wanted = { ...target, betterSqlite3, electron: electron.version };
  const why = staleReason(dir, wanted);
  if (!why) return join(dir, ADDON);

  log(`Building SQLite (better-sqlite3 ${betterSqlite3}) for Electron ${electron.version}, ABI ${electron.abi}: ${why}.`);
  const scratch = mkdtempSync(join(tmpdir(), 'vggw-sqlite-electron-'));
  try {
    const copy = join(scratch, 'better-sqlite3');
    // Node's build stays where it is: the scratch copy has no build/ of its own.
    cpSync(sourceDir, copy, { recursive: true, filter: (path) => !path.startsWith(join(sourceDir, 'build')) });
    const via = (options.build ?? buildForElectron)(copy, { ...target, electron: electron.version });
    const built = join(copy, 'build', 'Release', ADDON);
    if (!existsSync(built)) throw new Error(`the build finished without ${built}`);
    mkdirSync(dir, { recursive: true });
    // Into place by rename: a half-copied addon is never taken for a finished one.
    cpSync(built, join(dir, `${ADDON}.tmp`));
    renameSync(join(dir, `${ADDON}.tmp`), join(dir, ADDON));
    writeFileSync(join(dir, STAMP), `${JSON.stringify({ ...wanted, via } satisfies BuildInfo, null, 2)}\n`);
    log(`SQLite for Electron is ready (${via === 'prebuild' ? 'prebuilt, downloaded' : 'compiled here'}): ${join(dir, ADDON)}`);
    return join(dir, ADDON);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const path = ensureElectronSqlite({ root, dir: process.env.VGG_WORKBENCH_SQLITE_DIR || undefined });
    process.stdout.write(`${path}\n`);
  } catch (error) {
    process.stderr.write(`Cannot build SQLite for Electron: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
