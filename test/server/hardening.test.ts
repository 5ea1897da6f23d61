import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { startWorkbenchServer, type RunningServer } from '../../src-main/server/workbench-server';
import { tempDir } from '../core/store/store-fixtures';

/** Browser mode's remaining hardening from issue 13: body limits, the refusal page, serve's flags. */

const MAX_BODY = 1024 * 1024;
let service: ExperimentService;
let server: RunningServer;
let cleanup: () => void;
let dir: string;

before(async () => {
  ({ dir, cleanup } = tempDir('server-hardening-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>workbench</title>');
  service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, probeEngines: async () => [] });
  server = await startWorkbenchServer({ service, port: 0, rendererDir: renderer, maxBodyBytes: MAX_BODY });
});

after(async () => {
  await server.close();
  await service.close();
  cleanup();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw request, headers as given (fetch would not let a test forge Host). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  write: (request: ReturnType<typeof httpRequest>) => void = (request) => request.end(),
): Promise<Answer> {
  return new Promise((done, fail) => {
    const request = httpRequest(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${server.token}`, ...headers } });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        done({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    // The server may close once it has answered, while the body is still being written.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : fail(error)));
    write(request);
  });
}

test('a body declared over the limit is refused before it is read', async () => {
  const before = process.memoryUsage().rss;
  const started = Date.now();
  const answer = await raw(
    'POST',
    '/api/runs.import',
    { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) },
    (request) => request.write('{"content": "'),
  );
  assert.equal(answer.status, 413);
  assert.match(answer.body, /larger than 1048576 bytes/);
  assert.ok(Date.now() - started < 2000, 'answered at once');
  assert.ok(process.memoryUsage().rss - before < 32 * 1024 * 1024, 'nothing buffered');
});

test('a streamed body with no length is cut off once it passes the limit, not read to its end', async () => {
  let sent = 0;
  const answer = await raw('POST', '/api/runs.import', { 'content-type': 'application/json' }, (request) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = (): void => {
      // 100 MB if nobody stops it; the answer comes long before.
      while (sent < 100 * 1024 * 1024 && !request.destroyed) {
        sent += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', pump);
          return;
        }
      }
      request.end();
    };
    pump();
  });
  assert.equal(answer.status, 413);
  assert.ok(sent < 50 * 1024 * 1024, `the server stopped reading (client wrote ${sent} bytes)`);
  // The server still answers others.
  const list = await raw('POST', '/api/runs.list', { 'content-type': 'application/json' }, (r) => r.end('{}'));
  assert.equal(list.status, 200);
});

test('the refusal page escapes the Host and Origin it quotes and may run nothing', async () => {
  const host = await raw('GET', '/', { host: `<img src=x onerror=alert(1)>:${server.port}` });
  assert.equal(host.status, 403);
  assert.ok(!host.body.includes('<img'), host.body);
  assert.match(host.body, /Host &#60;img src=x onerror=alert\(1\)&#62;/, "shown, as text");
  assert.match(String(host.headers['content-security-policy']), /default-src 'none'/);

  const origin = await raw('GET', '/', { origin: 'http://x"><script>alert(1)</script>' });
  assert.equal(origin.status, 403);
  assert.ok(!origin.body.includes('<script>'), origin.body);
  assert.match(String(origin.headers['content-security-policy']), /default-src 'none'/);
});

const PROJECT = resolve(import.meta.dirname, '..', '..');
function serve(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(PROJECT, 'src-main', 'cli', 'main.ts'), 'serve', ...args],
    { cwd: PROJECT, encoding: 'utf8', env: { ...process.env, VGG_WORKBENCH_HOME: dir }, timeout: 60_000 },
  );
  return { code: result.status, stderr: result.stderr };
}

test('serve names the allowed range for a bad --port and what to pass for a bad --host', () => {
  const port = serve('--port', '70000');
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port <n>.*'70000' is invalid.*expected a port from 0 to 65535/);
  const host = serve('--host', 'no-such-host.invalid', '--port', '0');
  assert.equal(host.code, 1);
  assert.match(host.stderr, /--host no-such-host\.invalid is not a name or address this machine can resolve: pass --host 127\.0\.0\.1/);
  assert.ok(!/getaddrinfo/.test(host.stderr), 'not Node\'s raw text');
});
