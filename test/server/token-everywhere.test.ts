import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { API_METHOD_NAMES } from '../../src-main/api/methods';
import { EVENTS_PATH } from '../../src-main/api/websocket-api';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { startWorkbenchServer } from '../../src-main/server/workbench-server';
import { tempDir } from '../core/store/store-fixtures';
import { tryOpenSocket } from './ws-opener';

/** Issue 21: a token on every address, loopback included, as Jupyter does. */

const PROJECT = resolve(import.meta.dirname, '..', '..');
const CLI = ['--import', 'tsx', join(PROJECT, 'src-main', 'cli', 'main.ts')];
let dir: string;
let cleanup: () => void;
let child: ChildProcess | undefined;
/** What `serve` printed: http://127.0.0.1:PORT/?token=… */
let printed: URL;

before(async () => {
  ({ dir, cleanup } = tempDir('token-everywhere-'));
  child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', '--db', join(dir, 'runs.sqlite')], {
    cwd: PROJECT,
    env: { ...process.env, VGG_WORKBENCH_HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  printed = await new Promise<URL>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve printed no URL in 60 s:\n${stdout}\n${stderr}`)), 60_000);
    child!.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /serving (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        done(new URL(match[1]!));
      }
    });
    child!.once('exit', (code) => fail(new Error(`serve exited (${code}):\n${stdout}\n${stderr}`)));
  });
});

after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((done) => child!.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
  cleanup();
});

const call = (method: string, headers: Record<string, string> = {}) =>
  fetch(`${printed.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });

test('a loopback serve prints a URL with its token', () => {
  assert.equal(printed.hostname, '127.0.0.1');
  assert.match(printed.searchParams.get('token') ?? '', /^[0-9a-f]{48}$/);
});

test('without the token, or with a wrong or malformed one, every API method answers 401', async () => {
  const cookieName = `vgg_workbench_token_${printed.port}`;
  const attempts: Record<string, Record<string, string>> = {
    'no token': {},
    'a wrong bearer token': { authorization: `Bearer ${'0'.repeat(48)}` },
    'a wrong cookie': { cookie: `${cookieName}=${'0'.repeat(48)}` },
    'a malformed cookie': { cookie: `${cookieName}=%E0%A4%A` },
    "another port's cookie": { cookie: `vgg_workbench_token_1=${printed.searchParams.get('token')}` },
  };
  assert.ok(API_METHOD_NAMES.length > 20, 'the method table is iterated, not a hand-picked list');
  for (const method of [...API_METHOD_NAMES, 'no.such.method']) {
    for (const [what, headers] of Object.entries(attempts)) {
      const response = await call(method, headers);
      assert.equal(response.status, 401, `${method} with ${what}`);
      const body = (await response.json()) as { ok: boolean; error: { code: string } };
      assert.equal(body.error.code, 'unauthorized', `${method} with ${what}`);
    }
  }
  const events = `${printed.origin.replace('http', 'ws')}${EVENTS_PATH}`;
  for (const [what, headers] of Object.entries(attempts)) {
    assert.deepEqual(await tryOpenSocket(events, { origin: printed.origin, ...headers }), { status: 401 }, `the event socket with ${what}`);
  }
  assert.equal((await fetch(`${printed.origin}/`)).status, 401, 'the page too');
});

test('the printed URL sets a cookie named for the port, HttpOnly, SameSite=Strict, Path=/, which then opens the API', async () => {
  const page = await fetch(printed);
  const setCookie = page.headers.get('set-cookie') ?? '';
  const [pair, ...attributes] = setCookie.split(';').map((part) => part.trim());
  assert.equal(pair, `vgg_workbench_token_${printed.port}=${printed.searchParams.get('token')}`);
  assert.deepEqual(new Set(attributes), new Set(['Path=/', 'HttpOnly', 'SameSite=Strict']));
  assert.equal((await call('runs.list', { cookie: pair! })).status, 200);
  const socket = await tryOpenSocket(`${printed.origin.replace('http', 'ws')}${EVENTS_PATH}`, { origin: printed.origin, cookie: pair! });
  assert.ok('socket' in socket);
  socket.socket.close();
});

test('two servers in one browser keep a cookie each', async (t) => {
  const service = ExperimentService.open({ databasePath: join(dir, 'two.sqlite'), dataDir: dir, probeEngines: async () => [] });
  const first = await startWorkbenchServer({ service, port: 0, rendererDir: join(dir, 'none') });
  const second = await startWorkbenchServer({ service, port: 0, rendererDir: join(dir, 'none') });
  t.after(async () => {
    await first.close();
    await second.close();
    await service.close();
  });
  assert.notEqual(first.cookieName, second.cookieName);
  assert.notEqual(first.token, second.token, 'each server makes its own token');
  const cookieOf = async (server: typeof first) => (await fetch(server.openUrl)).headers.get('set-cookie')!.split(';')[0]!;
  // A browser sends both cookies to both ports: each server reads only its own.
  const jar = `${await cookieOf(first)}; ${await cookieOf(second)}`;
  const list = (server: typeof first, cookie: string) =>
    fetch(`${server.url}/api/runs.list`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
  assert.equal((await list(first, jar)).status, 200);
  assert.equal((await list(second, jar)).status, 200);
  assert.equal((await list(second, await cookieOf(first))).status, 401, "the first server's cookie does not open the second");
});

test('serve refuses an empty --host, --port or --db instead of listening on every interface', () => {
  for (const [flag, pattern] of [
    ['--host', /--host <address>.*'' is invalid.*expected an address: 127\.0\.0\.1/],
    ['--port', /--port <n>.*'' is invalid.*expected a port/],
    ['--db', /--db <file>.*'' is invalid.*expected a file path/],
  ] as const) {
    // Were one accepted, serve would keep running: the timeout ends it and the status is not 2.
    const result = spawnSync(process.execPath, [...CLI, 'serve', ...(flag === '--port' ? [] : ['--port', '0']), flag, ''], {
      cwd: PROJECT,
      encoding: 'utf8',
      env: { ...process.env, VGG_WORKBENCH_HOME: dir },
      timeout: 60_000,
    });
    assert.equal(result.status, 2, `${flag} "": ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }
});
