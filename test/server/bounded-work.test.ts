import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricPoint } from '../../src-main/shared/runs/run-entities';
import { REQUEST_MAX_POINTS } from '../../src-main/shared/runs/run-limits';
import { createWebSocketApi } from '../../src-main/api/websocket-api';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { DEFAULT_MAX_BODY_BYTES, startWorkbenchServer, type RunningServer } from '../../src-main/server/workbench-server';
import { smallConfig, tempDir } from '../core/store/store-fixtures';

/**
 * Issue 21's worst case: one run with 330,000 points (its export fits one
 * 31 MB import body), exported with its id 200 times over. Before, the server
 * built one string of 200 copies, blocked for 161 s and died out of heap.
 */

const POINTS = 330_000;
let dir: string;
let cleanup: () => void;
let service: ExperimentService;
let server: RunningServer;
let runId: string;

before(async () => {
  ({ dir, cleanup } = tempDir('bounded-work-'));
  service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, probeEngines: async () => [] });
  server = await startWorkbenchServer({ service, port: 0, rendererDir: join(dir, 'none') });
  // Straight through the store: seconds, where training would take hours.
  runId = service.store.createRun(smallConfig({ name: 'huge' }));
  const chunk: MetricPoint[] = [];
  for (let i = 0; i < POINTS; i++) {
    const step = i >> 1;
    chunk.push({ key: i % 2 ? 'loss' : 'acc', step, epoch: Math.floor(step / 10_000), batch: step % 10_000, value: (i % 1000) / 1000, wallTime: i });
    if (chunk.length === 10_000) service.store.appendMetrics(runId, chunk.splice(0));
  }
  service.store.appendMetrics(runId, chunk);
});

after(async () => {
  await server.close();
  await service.close();
  cleanup();
});

/** What these calls answer, loosely: the fields the tests read. */
interface Envelope {
  ok: boolean;
  result?: { content: string; next?: string; runs: { id: string }[] };
  error?: { code: string; message: string };
}

async function post(method: string, body: unknown): Promise<{ status: number; ms: number; body: Envelope }> {
  const started = performance.now();
  const response = await fetch(`${server.url}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify(body),
  });
  const parsed = (await response.json()) as Envelope;
  return { status: response.status, ms: performance.now() - started, body: parsed };
}

/** The longest the event loop (the server's, which this process shares) was held while `work` ran. */
async function longestBlock<T>(work: () => Promise<T>): Promise<{ value: T; blockedMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    const value = await work();
    return { value, blockedMs: delay.max / 1e6 };
  } finally {
    delay.disable();
  }
}

let exported = '';

test('200 copies of one 330,000-point run export once, in bounded pages, within seconds and bounded memory', async () => {
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const started = performance.now();
  let slowest = 0;
  let pages = 0;
  const { blockedMs } = await longestBlock(async () => {
    const parts: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await post('runs.export', { runIds: Array(200).fill(runId), format: 'json', ...(cursor ? { cursor } : {}) });
      assert.equal(page.status, 200, JSON.stringify(page.body.error));
      parts.push(page.body.result!.content);
      cursor = page.body.result!.next;
      slowest = Math.max(slowest, page.ms);
      pages += 1;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    } while (cursor !== undefined);
    exported = parts.join('');
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `export: ${pages} pages in ${seconds.toFixed(1)} s, slowest request ${slowest.toFixed(0)} ms, ` +
      `event loop held at most ${blockedMs.toFixed(0)} ms, RSS +${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MB, ` +
      `${(exported.length / 2 ** 20).toFixed(1)} MB (load ${loadavg()[0]!.toFixed(1)})`,
  );
  const file = JSON.parse(exported) as { runs: { id: string; metrics: unknown[] }[] };
  assert.deepEqual(file.runs.map((run) => run.id), [runId], 'each run once');
  assert.equal(file.runs[0]!.metrics.length, POINTS);
  assert.ok(seconds < 60, `answered within seconds (${seconds.toFixed(1)} s)`);
  assert.ok(blockedMs < 1000, `no page held the server for a second (${blockedMs.toFixed(0)} ms)`);
  // One copy of the file (~27 MB as text) and its pieces, not 200 copies: before, the heap ran out at 4 GB.
  assert.ok(peakRss - rssBefore < 600 * 2 ** 20, `memory stayed bounded (+${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MB)`);
});

test('in browser mode the same export streams as one download, page by page', async () => {
  const url = createWebSocketApi(server.url, server.token).exportDownloadUrl!({ runIds: Array(200).fill(runId), format: 'json' });
  assert.ok(url, 'a URL of 200 short ids fits');
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const started = performance.now();
  const { value: received, blockedMs } = await longestBlock(async () => {
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="run-${runId}\\.json"$`));
    // Read as the browser would, a chunk at a time, without keeping the chunks.
    let bytes = 0;
    let chunks = 0;
    for await (const chunk of response.body!) {
      bytes += (chunk as Uint8Array).length;
      chunks += 1;
      if (chunks % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    return bytes;
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`download: ${(received / 2 ** 20).toFixed(1)} MB in ${seconds.toFixed(1)} s, event loop held at most ${blockedMs.toFixed(0)} ms, RSS +${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MB`);
  // The paged export's size: the same file (its exportedAt has as many digits).
  assert.equal(received, Buffer.byteLength(exported), 'the whole file, once');
  assert.ok(blockedMs < 1000, `no page held the server for a second (${blockedMs.toFixed(0)} ms)`);

  const missing = await fetch(url.replace(runId, 'no-such-run'));
  assert.equal(missing.status, 404, 'a refusal before the first byte is an ordinary error');
  const noToken = await fetch(createWebSocketApi(server.url).exportDownloadUrl!({ runIds: [runId], format: 'csv' })!);
  assert.equal(noToken.status, 401);
});

test('the export re-imports as one 31 MB body, off the event loop', async () => {
  assert.ok(exported.length > 0, 'the export test ran first');
  const body = { content: exported.replace(`"id":"${runId}"`, '"id":"copy-of-huge"') };
  const bytes = Buffer.byteLength(JSON.stringify(body));
  assert.ok(bytes < DEFAULT_MAX_BODY_BYTES, `the body fits the limit (${bytes} bytes)`);
  const { value: answer, blockedMs } = await longestBlock(() => post('runs.import', body));
  console.log(`import: ${(bytes / 2 ** 20).toFixed(1)} MB body in ${answer.ms.toFixed(0)} ms, event loop held at most ${blockedMs.toFixed(0)} ms`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body.error));
  assert.deepEqual(answer.body.result!.runs.map((run) => run.id), ['copy-of-huge']);
  assert.equal(service.store.countMetrics(['copy-of-huge']), POINTS);
  assert.ok(blockedMs < 1000, `the import held the server under a second (${blockedMs.toFixed(0)} ms)`);
});

test('reading more points than one answer carries is refused as too-large, naming the cap, at once', async () => {
  for (const [method, request] of [
    ['runs.metrics', { runId }],
    ['runs.events', { runId }],
    ['replay.open', { runId }],
  ] as const) {
    const answer = await post(method, request);
    assert.equal(answer.status, 413, method);
    assert.equal(answer.body.error?.code, 'too-large', method);
    assert.match(answer.body.error!.message, new RegExp(REQUEST_MAX_POINTS.toLocaleString('en-US')), method);
    assert.ok(answer.ms < 1000, `${method} answered at once (${answer.ms.toFixed(0)} ms)`);
  }
  // A few keys of the same run are within the cap.
  const someKeys = await post('runs.metrics', { runId, keys: ['epoch.test_acc'] });
  assert.equal(someKeys.status, 200);
});
