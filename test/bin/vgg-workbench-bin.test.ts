import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'vgg-workbench.js');
const scratch = mkdtempSync(join(tmpdir(), 'vgg-bin-'));
const home = join(scratch, 'home');
const marker = join(scratch, 'planted-code-ran');
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The package's bin as a user runs it: plain node, no loader flags inherited, from `cwd`. */
function runBin(cwd: string, path: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, VGG_WORKBENCH_HOME: home };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, [path, ...args], { cwd, encoding: 'utf8', env, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A folder whose node_modules holds packages (tsx among them) that would record being loaded. */
function plantedFolder(): string {
  const cwd = join(scratch, 'planted');
  const evil = `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, import.meta.url); export default {}; export const register = () => {};\n`;
  for (const name of ['tsx', 'commander', 'zod', 'better-sqlite3', 'anything']) {
    const dir = join(cwd, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'evil.mjs'), evil);
    const entry = './evil.mjs';
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name, version: '99.0.0', type: 'module', main: entry, exports: { '.': entry, './esm': entry, './esm/api': entry, './*': entry } }),
    );
  }
  writeFileSync(join(cwd, 'package.json'), JSON.stringify({ name: 'victim', type: 'module', dependencies: { tsx: '*' } }));
  return cwd;
}

before(() => {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr || build.stdout);
});

test('the bin loads nothing from a planted node_modules in the current folder', () => {
  const cwd = plantedFolder();
  const list = runBin(cwd, bin, 'runs', 'list', '--db', join(scratch, 'planted.sqlite'));
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /No runs recorded yet/);
  assert.equal(existsSync(marker), false, 'a package planted in the current folder was executed');
});

test('a run trains through the bundled worker from a planted folder, loading none of it', { timeout: 120_000 }, () => {
  const cwd = plantedFolder();
  const run = runBin(cwd, bin, 'train', '--model', 'lenet', '--epochs', '1', '--batch', '32', '--train-limit', '32', '--test-limit', '32', '--engine', 'wasm', '--checkpoints', 'none', '--data', REAL_DATA_DIR, '--db', join(scratch, 'train.sqlite'), '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /"type":"done"|"type":"epoch"/);
  assert.equal(existsSync(marker), false, 'a package planted in the current folder was executed');
});

test('the bin works from the temp folder and the filesystem root', () => {
  for (const cwd of [tmpdir(), '/']) {
    const models = runBin(cwd, bin, 'models', '--model', 'lenet', '--json');
    assert.equal(models.code, 0, `${cwd}: ${models.stderr}`);
    assert.equal((JSON.parse(models.stdout) as { name: string }[])[0]!.name, 'lenet');
  }
});

test('without a built bundle the bin says in one line how to build, with no stack', () => {
  const checkout = join(scratch, 'unbuilt');
  mkdirSync(join(checkout, 'bin'), { recursive: true });
  copyFileSync(bin, join(checkout, 'bin', 'vgg-workbench.js'));
  writeFileSync(join(checkout, 'package.json'), JSON.stringify({ type: 'module' }));
  const result = runBin(scratch, join(checkout, 'bin', 'vgg-workbench.js'), 'runs', 'list');
  assert.equal(result.code, 1);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /not built; run `npm run build:cli`/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});
