import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src-main/core/store/run-store';
import { makeRunConfig } from '../../src-main/shared/train/make-run-config';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import type { RunOutcome } from '../../src-main/worker/execute-run';
import type { RunMessage } from '../../src-main/worker/protocol';
import type { RunHandlers } from '../../src-main/worker/training-worker-host';
import { EventHub } from '../../src-main/service/event-hub';
import { RunQueue } from '../../src-main/service/run-queue';
import type { WorkerHostLike } from '../../src-main/service/worker-host-like';
import { EventLog } from './event-log';

/** The queue's failure paths, against a scripted worker host (no TensorFlow involved). */

type Script = (request: RunMessage, handlers: RunHandlers) => Promise<RunOutcome>;

let dir: string;
let store: RunStore;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'queue-test-'));
  store = RunStore.open(join(dir, 'runs.sqlite'));
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = makeRunConfig({ model: 'lenet', epochs: 1, trainLimit: 64, testLimit: 10 });
const start = (): Extract<TrainingEvent, { type: 'start' }> => ({
  type: 'start',
  time: Date.now(),
  config,
  engine: { id: 'cpu', backend: 'cpu', version: '0' },
  params: 1,
  macs: 1,
  trainSize: 64,
  testSize: 10,
  stepsPerEpoch: 1,
  firstEpoch: 0,
});

function setUp(scripts: Script[]) {
  const hub = new EventHub();
  const log = new EventLog();
  hub.subscribe(log.listener);
  const hosts: { requests: RunMessage[]; closed: boolean }[] = [];
  const errors: unknown[] = [];
  const queue = new RunQueue({
    store,
    hub,
    createHost: (): WorkerHostLike => {
      const host = { requests: [] as RunMessage[], closed: false };
      hosts.push(host);
      return {
        run: (request, handlers) => {
          host.requests.push(request);
          return scripts.shift()!(request, handlers);
        },
        cancel: () => undefined,
        close: async () => {
          host.closed = true;
        },
      };
    },
    checkpointPolicy: 'last',
    onError: (error) => errors.push(error),
  });
  const enqueue = () => {
    const runId = store.createRun(config);
    queue.enqueue([{ runId, name: 'r', model: 'lenet', config, datasetDir: '/data/fashion-mnist' }]);
    return runId;
  };
  return { queue, log, hosts, errors, enqueue };
}

test('a worker that dies fails its run, and the next run gets a fresh worker', async () => {
  const { queue, log, hosts, errors, enqueue } = setUp([
    async (_request, handlers) => {
      handlers.onEvent(start());
      throw new Error('training worker exited with code 134');
    },
    async (request, handlers) => {
      handlers.onEvent({ ...start(), config: request.config });
      handlers.onEvent({ type: 'done', time: Date.now(), status: 'completed', epochs: 1, seconds: 0.1 });
      return { status: 'completed', epochsDone: 1 };
    },
  ]);
  const crashed = enqueue();
  const fine = enqueue();
  await queue.idle();
  assert.deepEqual(errors, []);
  assert.equal(hosts.length, 2);
  assert.equal(hosts[0]!.closed, true, 'the dead worker is let go');
  assert.equal(store.requireRun(crashed).status, 'failed');
  assert.match(store.requireRun(crashed).error ?? '', /training worker stopped: training worker exited with code 134/);
  assert.deepEqual(log.runEvents(crashed).map((e) => e.type), ['start', 'error']);
  assert.equal(store.requireRun(fine).status, 'completed');
  // The run is sent with the dataset folder located when it was queued (its config holds no path), and where its final checkpoint goes.
  assert.equal(hosts[1]!.requests[0]!.datasetDir, '/data/fashion-mnist');
  assert.equal('dataDir' in hosts[1]!.requests[0]!.config, false);
  assert.deepEqual(hosts[1]!.requests[0]!.checkpoint, { dir: join(dir, 'checkpoints', fine), policy: 'last' });
});

test("a run's end is announced only once its confusion matrix is stored", async () => {
  const matrix = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 1 : 0)));
  const { queue, log, enqueue } = setUp([
    async (_request, handlers) => {
      handlers.onEvent(start());
      handlers.onEvent({ type: 'done', time: Date.now(), status: 'completed', epochs: 1, seconds: 0.1 });
      // The worker's 'finished' message comes after its last event.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { status: 'completed', epochsDone: 1, confusion: matrix };
    },
  ]);
  const runId = enqueue();
  const seenAtDone: unknown[] = [];
  log.waitFor((e) => e.topic === 'run' && e.event.type === 'done').then(() => seenAtDone.push(store.getConfusion(runId)));
  await queue.idle();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seenAtDone, [matrix]);
});

test('a run the worker ends without a word is still ended, recorded and announced', async () => {
  const { queue, log, enqueue } = setUp([async () => ({ status: 'cancelled', epochsDone: 0 })]);
  const runId = enqueue();
  await queue.idle();
  assert.equal(store.requireRun(runId).status, 'cancelled');
  assert.deepEqual(log.runEvents(runId).map((e) => e.type), ['done']);
  const queues = log.events.flatMap((e) => (e.topic === 'queue' ? [e.queue.running?.runId ?? null] : []));
  assert.deepEqual(queues, [null, runId, null], 'queued, running, idle');
});
