import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { base64ToBytes } from '../../src-main/api/pixels';
import { createWebSocketApi } from '../../src-main/api/websocket-api';
import { fromWireJson } from '../../src-main/api/wire-json';
import type { WorkbenchEvent } from '../../src-main/api/events';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { startWorkbenchServer, type RunningServer } from '../../src-main/server/workbench-server';
import { EventLog, isRunEvent } from '../service/event-log';
import { tryOpenSocket, wsOpener } from './ws-opener';

let dir: string;
let service: ExperimentService;
let server: RunningServer;
const serviceLog = new EventLog();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'server-test-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>workbench</title>');
  writeFileSync(join(renderer, 'assets', 'app-1234.js'), 'console.log(1)');
  service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir });
  service.subscribe(serviceLog.listener);
  server = await startWorkbenchServer({ service, host: '127.0.0.1', port: 0, rendererDir: renderer });
});

after(async () => {
  await server.close();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw POST, to send what the typed client never would. */
/** A raw POST; to the shared server, with its token unless `headers` says otherwise. */
async function post(path: string, body: string, headers: Record<string, string> = {}, base = server.url) {
  const auth: Record<string, string> = base === server.url ? { authorization: `Bearer ${server.token}` } : {};
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body,
  });
  return { status: response.status, body: fromWireJson(await response.text()) as Record<string, unknown> };
}

const errorOf = (body: Record<string, unknown>) => body.error as { code: string; field?: string };

test('a tiny run driven through the API over HTTP and WebSocket', async () => {
  let connected!: () => void;
  const open = new Promise<void>((resolve) => (connected = resolve));
  const api = createWebSocketApi(server.url, server.token, {
    openSocket: wsOpener(server.url),
    onConnectionChange: (up) => up && connected(),
  });
  const log = new EventLog();
  const unsubscribe = api.subscribe(log.listener);
  await open;
  try {
    const { run } = await api.call('runs.start', {
      // Layer statistics off: the test counts the trainer's own events one by one.
      config: { model: 'lenet', epochs: 1, batchSize: 64, lr: 0.1, trainLimit: 256, testLimit: 100, engine: 'wasm', layerStats: 'off' },
    });
    assert.equal(run.status, 'queued');
    await log.waitFor(isRunEvent(run.id, 'done'), 120_000, 'the run to finish');
    assert.deepEqual(
      log.runEvents(run.id).map((e) => e.type),
      ['start', 'batch', 'batch', 'batch', 'batch', 'epoch', 'done'],
    );
    // The socket delivered exactly what the service emitted, in order.
    const sameTopics = (events: WorkbenchEvent[]) => events.filter((e) => e.topic === 'run' && e.runId === run.id);
    assert.deepEqual(sameTopics(log.events), sameTopics(serviceLog.events));
    assert.ok(log.events.some((e) => e.topic === 'queue' && e.queue.running?.runId === run.id));

    const got = await api.call('runs.get', { runId: run.id });
    assert.equal(got.run.status, 'completed');
    assert.equal(got.run.summary['epoch.test_acc']?.count, 1);
    const { runs } = await api.call('runs.list', {});
    assert.deepEqual(runs.map((r) => r.id), [run.id]);
    const samples = await api.call('dataset.samples', { split: 'test', indices: [0, 1] });
    assert.deepEqual(samples.images.map((i) => [i.index, base64ToBytes(i.pixels).length]), [
      [0, 784],
      [1, 784],
    ]);
    await assert.rejects(api.call('runs.get', { runId: 'missing' }), { code: 'not-found' } as object);
  } finally {
    unsubscribe();
  }
});

test('malformed requests get an error reply and change nothing', async () => {
  const runsBefore = (await service.call('runs.list', {})).runs.length;
  const eventsBefore = serviceLog.events.length;

  const notJson = await post('/api/runs.start', '{"config": ');
  assert.equal(notJson.status, 400);
  assert.equal(errorOf(notJson.body).code, 'invalid-request');
  const textPlain = await post('/api/runs.start', '{}', { 'content-type': 'text/plain' });
  assert.equal(textPlain.status, 400);
  const unknown = await post('/api/runs.explode', '{}');
  assert.equal(unknown.status, 404);
  assert.equal(errorOf(unknown.body).code, 'unknown-method');
  const invalid = await post('/api/runs.start', JSON.stringify({ config: { model: 'lenet', epochs: -1 } }));
  assert.equal(invalid.status, 400);
  assert.equal(errorOf(invalid.body).field, 'config.epochs');
  const wrongShape = await post('/api/runs.startQueue', JSON.stringify({ runs: 'all of them' }));
  assert.equal(wrongShape.status, 400);
  const get = await fetch(`${server.url}/api/runs.list`, { headers: { authorization: `Bearer ${server.token}` } });
  assert.equal(get.status, 400);
  const foreignOrigin = await post('/api/runs.list', '{}', { origin: 'http://evil.example' });
  assert.equal(foreignOrigin.status, 403);

  // A page on another host name that resolves here (DNS rebinding) names its own host.
  const rebound = await new Promise<number>((resolve, reject) => {
    const request = httpRequest(`${server.url}/api/runs.list`, {
      method: 'POST',
      headers: { host: `evil.example:${server.port}`, 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end('{}');
  });
  assert.equal(rebound, 403);

  // The event socket answers a message with an error frame and stays open.
  const opened = await tryOpenSocket(`${server.url.replace('http', 'ws')}/api/events?token=${server.token}`, { origin: server.url });
  assert.ok('socket' in opened);
  const socket: WebSocket = opened.socket;
  const reply = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(fromWireJson(String(data)))));
  socket.send('{"method":"runs.delete"}');
  assert.deepEqual(await reply, {
    frame: 'error',
    error: {
      code: 'invalid-request',
      message: 'this socket only sends events: call API methods with POST /api/<method>',
    },
  });
  socket.close();

  assert.equal((await service.call('runs.list', {})).runs.length, runsBefore, 'no run was created or deleted');
  assert.equal(serviceLog.events.length, eventsBefore, 'nothing was announced');
});

test('a WebSocket from a foreign Origin is refused; one from our own page is accepted', async () => {
  const url = `${server.url.replace('http', 'ws')}/api/events?token=${server.token}`;
  assert.deepEqual(await tryOpenSocket(url, { origin: 'http://evil.example' }), { status: 403 });
  assert.deepEqual(await tryOpenSocket(url, { origin: `http://localhost:${server.port + 1}` }), { status: 403 });
  const ours = await tryOpenSocket(url, { origin: server.url });
  assert.ok('socket' in ours);
  ours.socket.close();
  assert.deepEqual(await tryOpenSocket(`${server.url.replace('http', 'ws')}/elsewhere?token=${server.token}`, { origin: server.url }), {
    status: 404,
  });
});

test('with a token, every request and socket must present it', async () => {
  const token = 'c0ffee'.repeat(8);
  const guarded = await startWorkbenchServer({
    service,
    host: '127.0.0.1',
    port: 0,
    token,
    rendererDir: join(dir, 'not-built'),
  });
  try {
    const none = await post('/api/runs.list', '{}', {}, guarded.url);
    assert.equal(none.status, 401);
    assert.equal(errorOf(none.body).code, 'unauthorized');
    assert.equal((await post('/api/runs.list', '{}', { authorization: 'Bearer wrong' }, guarded.url)).status, 401);
    assert.equal((await post('/api/runs.list', '{}', { authorization: `Bearer ${token}` }, guarded.url)).status, 200);

    assert.equal((await fetch(`${guarded.url}/`)).status, 401);
    const page = await fetch(`${guarded.url}/?token=${token}`);
    assert.match(await page.text(), /npm run build/, 'the renderer is not built: the page says how to build it');
    const cookie = page.headers.get('set-cookie')?.split(';')[0];
    assert.equal(cookie, `${guarded.cookieName}=${token}`);
    assert.ok(cookie);
    const withCookie = await post('/api/runs.list', '{}', { cookie }, guarded.url);
    assert.equal(withCookie.status, 200, 'the page, once opened with the token, can call the API');

    const events = `${guarded.url.replace('http', 'ws')}/api/events`;
    assert.deepEqual(await tryOpenSocket(events, { origin: guarded.url }), { status: 401 });
    const withToken = await tryOpenSocket(`${events}?token=${token}`, { origin: guarded.url });
    assert.ok('socket' in withToken);
    withToken.socket.close();

    const api = createWebSocketApi(guarded.url, token, { openSocket: wsOpener(guarded.url) });
    assert.equal((await api.call('dataset.status', {})).location.kind, 'found');
    await assert.rejects(createWebSocketApi(guarded.url).call('dataset.status', {}), { code: 'unauthorized' } as object);
  } finally {
    await guarded.close();
  }
});

test('the built renderer is served, and nothing outside it', async () => {
  const index = await fetch(server.openUrl);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-security-policy') ?? '', /connect-src 'self' ws:\/\/127\.0\.0\.1/);
  assert.equal(await index.text(), '<!doctype html><title>workbench</title>');
  const cookie = { cookie: `${server.cookieName}=${server.token}` };
  assert.equal((await fetch(`${server.url}/runs/abc`, { headers: cookie })).status, 200, 'an app route gets the page');
  const asset = await fetch(`${server.url}/assets/app-1234.js`, { headers: cookie });
  assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await fetch(`${server.url}/assets/missing.js`, { headers: cookie })).status, 404);
  const traversal = await new Promise<number>((resolve, reject) => {
    httpRequest(`${server.url}/%2e%2e/runs.sqlite`, { headers: cookie }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(traversal, 404);
});
