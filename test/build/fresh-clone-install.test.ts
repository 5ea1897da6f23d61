// A new user's path, as the README writes it, where GitHub's release downloads
// cannot be reached (this machine reaches only the npm registry): a fresh clone,
// a plain `npm install` with no Electron variable set, then the build and
// `npm start`. npm must keep Electron's package (its download never runs during
// install), the type check and the build must pass, and `npm start` must serve
// the browser mode within 60 s, saying why the desktop app did not open.
// Slow (a whole install): minutes, most of them npm's.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fresh-clone-'));
const clone = join(dir, 'vgg-workbench');

after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * What a new user's shell has: none of npm's lifecycle variables from the
 * `npm test` running this file, and no Electron switch. HOME stays, so npm's
 * cache is the machine's own, as it would be for that user.
 */
function userEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'SHELL', 'TERM'];
  const env: NodeJS.ProcessEnv = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key];
  // The browser mode opens the default browser; here nothing should open.
  env.BROWSER = 'true';
  return env;
}

function run(command: string, args: string[], timeoutMs: number): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: clone, env: userEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

test('a fresh clone: plain npm install keeps Electron, the type check and build pass, npm start serves the browser mode with its reason', { timeout: 1_500_000 }, async () => {
  const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { encoding: 'utf8' });
  assert.equal(cloned.status, 0, cloned.stderr);

  const install = run('npm', ['install'], 900_000);
  assert.equal(install.status, 0, install.output.slice(-4000));
  assert.ok(existsSync(join(clone, 'node_modules/electron/package.json')), `npm kept Electron's package:\n${install.output.slice(-4000)}`);

  const typecheck = run('npm', ['run', 'typecheck'], 300_000);
  assert.equal(typecheck.status, 0, typecheck.output.slice(-4000));
  const build = run('npm', ['run', 'build'], 300_000);
  assert.equal(build.status, 0, build.output.slice(-4000));

  const port = await freePort();
  const started = Date.now();
  const child = spawn('npm', ['start', '--', '--port', String(port)], { cwd: clone, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  try {
    let status: number | undefined;
    while (Date.now() - started < 60_000 && status === undefined && child.exitCode === null) {
      try {
        status = (await fetch(`http://127.0.0.1:${port}/`)).status;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    assert.ok(status !== undefined, `npm start served nothing on port ${port} within 60 s:\n${output}`);
    assert.match(output, /Cannot start the desktop app: Electron's binary could not be downloaded \(.+\)/);
    assert.match(output, /ELECTRON_MIRROR/);
    assert.match(output, /browser mode/);
  } finally {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  }
});
