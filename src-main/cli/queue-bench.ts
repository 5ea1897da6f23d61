import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunStore } from '../core/store/run-store';
import { BATCH_METRICS, EPOCH_METRICS } from '../shared/runs/metric-keys';
import type { RunConfigRequest } from '../shared/train/make-run-config';
import type { PreparedRun } from '../shared/train/prepared-run';
import type { EngineChoice } from '../shared/train/run-config';
import { prepareRun } from '../service/prepare-run';
import type { TrainingEvent } from '../shared/train/events';
import { TrainingWorkerHost } from '../worker/training-worker-host';
import { QueueHub } from '../queue/queue-hub';
import { QueueWorker } from '../queue/queue-worker';
import { parseQueueUrl } from '../queue/queue-url';
import { ensureFashionMnist } from './ensure-dataset';

/**
 * `bench --queue`: what the Redis queue costs against training here. A
 * redis-server of its own on a free port, two workers and one hub, all in this
 * process (the training itself runs on each worker's own thread, as in
 * `vgg-workbench worker`):
 * - launch → first batch, queue against local, each with a fresh training thread;
 * - the events per second one hub records from 2 workers stepping LeNet at
 *   full speed, checked point by point against what the runs produced.
 */
const WORKERS = 2;
/** Small batches: the most events per second LeNet can give. */
const STEPPING: RunConfigRequest = { model: 'lenet', epochs: 1, batchSize: 16, trainLimit: 4096, testLimit: 256 };

export interface QueueBenchResult {
  engine: string;
  localFirstBatchMs: number;
  queueFirstBatchMs: number;
  extraMs: number;
  runs: number;
  events: number;
  seconds: number;
  eventsPerSec: number;
  lost: number;
  duplicated: number;
  loadAverage: number;
}

export async function runQueueBench(options: { engine: EngineChoice; json: boolean }): Promise<number> {
  const say = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  const dataDir = await ensureFashionMnist(undefined, { quiet: true });
  const run = prepareRun({ config: { ...STEPPING, engine: options.engine } });
  const { config } = run;
  const dir = mkdtempSync(join(tmpdir(), 'vgg-queue-bench-'));
  const redis = await startRedis(dir);
  const address = parseQueueUrl(`redis://127.0.0.1:${redis.port}`);
  const workers: QueueWorker[] = [];
  let hub: QueueHub | undefined;
  const store = RunStore.open(join(dir, 'hub.sqlite'));
  try {
    say(`local: launching one LeNet run on ${options.engine}…`);
    const localFirstBatchMs = await firstBatchLocally(config, dataDir);
    for (let i = 1; i <= WORKERS; i++) {
      const worker = new QueueWorker({ address, name: `bench-w${i}`, engine: options.engine, dataDir, workDir: join(dir, `w${i}`), log: () => undefined });
      workers.push(worker);
      await worker.start();
    }
    hub = await QueueHub.open(address, store, (line) => process.stderr.write(`${line}\n`));
    await waitForWorkers(hub, WORKERS);
    say(`queue: launching one LeNet run on ${WORKERS} waiting workers…`);
    const queueFirstBatchMs = await firstBatchOnQueue(hub, run);
    say(`queue: ${WORKERS} LeNet runs at once (batch ${config.batchSize}, ${config.trainLimit} images)…`);
    const rate = await recordRate(hub, store, run, WORKERS);
    const result: QueueBenchResult = {
      engine: options.engine,
      localFirstBatchMs,
      queueFirstBatchMs,
      extraMs: queueFirstBatchMs - localFirstBatchMs,
      ...rate,
      loadAverage: loadavg()[0]!,
    };
    if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      say(`launch → first batch: local ${ms(localFirstBatchMs)}, queue ${ms(queueFirstBatchMs)} (+${ms(result.extraMs)})`);
      say(
        `hub recorded ${result.events} events from ${result.runs} runs in ${result.seconds.toFixed(1)} s: ${Math.round(result.eventsPerSec)} events/s; ` +
          `lost ${result.lost}, recorded twice ${result.duplicated}`,
      );
      say(`load average ${result.loadAverage.toFixed(2)}`);
    }
    return result.lost === 0 && result.duplicated === 0 ? 0 : 1;
  } finally {
    for (const worker of workers) await worker.stop().catch(() => undefined);
    await hub?.close();
    store.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (value: number): string => `${Math.round(value)} ms`;

async function firstBatchLocally(config: PreparedRun['config'], dataDir: string): Promise<number> {
  const host = new TrainingWorkerHost();
  const started = performance.now();
  let first: number | undefined;
  try {
    await host.run(
      { type: 'run', runId: 'bench-local', config, datasetDir: dataDir },
      {
        onEvent: (event) => {
          if (event.type === 'batch' && first === undefined) {
            first = performance.now();
            host.cancel('bench-local');
          }
        },
      },
    );
  } finally {
    await host.close();
  }
  if (first === undefined) throw new Error('the local run produced no batch');
  return first - started;
}

async function firstBatchOnQueue(hub: QueueHub, run: PreparedRun): Promise<number> {
  const started = performance.now();
  const runId = await hub.startRun(run);
  let first: number | undefined;
  await hub.follow(runId, {
    onEvent: (event) => {
      if (event.type === 'batch' && first === undefined) {
        first = performance.now();
        void hub.cancel(runId);
      }
    },
  });
  if (first === undefined) throw new Error('the queued run produced no batch');
  return first - started;
}

/** Launches `runs` runs at once and follows them all; then checks every batch and epoch point is in the store once. */
async function recordRate(
  hub: QueueHub,
  store: RunStore,
  prepared: PreparedRun,
  runs: number,
): Promise<{ runs: number; events: number; seconds: number; eventsPerSec: number; lost: number; duplicated: number }> {
  const { config } = prepared;
  const runIds = await Promise.all(Array.from({ length: runs }, () => hub.startRun(prepared)));
  let events = 0;
  let firstAt: number | undefined;
  let lastAt = 0;
  const starts = new Map<string, Extract<TrainingEvent, { type: 'start' }>>();
  await Promise.all(
    runIds.map((runId) =>
      hub.follow(runId, {
        onEvent: (event) => {
          events += 1;
          firstAt ??= performance.now();
          lastAt = performance.now();
          if (event.type === 'start') starts.set(runId, event);
        },
      }),
    ),
  );
  let lost = 0;
  let duplicated = 0;
  for (const runId of runIds) {
    const run = store.requireRun(runId);
    if (run.status !== 'completed') throw new Error(`run ${runId} ended ${run.status}: ${run.error ?? 'no error recorded'}`);
    const start = starts.get(runId);
    if (!start) throw new Error(`run ${runId}: no start event recorded`);
    const expectedBatches = start.stepsPerEpoch * config.epochs;
    for (const [key, expected] of [
      [BATCH_METRICS[0][1], expectedBatches],
      [EPOCH_METRICS[0][1], config.epochs],
    ] as const) {
      const steps = store.metrics(runId, [key]).map((p) => p.step);
      const distinct = new Set(steps).size;
      lost += expected - distinct;
      duplicated += steps.length - distinct;
    }
  }
  const seconds = ((lastAt - (firstAt ?? lastAt)) || 1) / 1000;
  return { runs, events, seconds, eventsPerSec: events / seconds, lost, duplicated };
}

async function waitForWorkers(hub: QueueHub, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await hub.workers()).length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} workers announced themselves in 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A redis-server of the bench's own: a free loopback port, append-only file in `dir`, stopped by its pid. */
async function startRedis(dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start redis-server (${error.message}): install it (Debian: apt-get install redis-server)`));
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/Ready to accept connections/.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
