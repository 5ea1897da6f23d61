import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src-main/api/api-error';
import { createElectronApi } from '../../src-main/api/electron-api';
import type { WorkbenchEvent } from '../../src-main/api/events';
import { createRemoteApi, type ApiTransport } from '../../src-main/api/remote-api';

/** A transport whose replies and events the test scripts. */
function scripted(reply: (method: string, request: unknown) => unknown) {
  const sent: [string, unknown][] = [];
  let emit: ((raw: unknown) => void) | undefined;
  let listens = 0;
  let stops = 0;
  const transport: ApiTransport = {
    send: async (method, request) => {
      sent.push([method, request]);
      return reply(method, request);
    },
    listen: (onEvent) => {
      listens += 1;
      emit = onEvent;
      return () => {
        stops += 1;
        emit = undefined;
      };
    },
  };
  return { transport, sent, emit: (raw: unknown) => emit?.(raw), counts: () => ({ listens, stops }) };
}

test('requests are checked before they are sent, replies when they arrive', async () => {
  const remote = scripted((method) =>
    method === 'runs.queue'
      ? { ok: true, result: { running: null, queued: [] } }
      : method === 'runs.cancel'
        ? { ok: false, error: { code: 'conflict', message: 'run a is completed' } }
        : method === 'dataset.status'
          ? { ok: true, result: { name: 'fashion-mnist' } }
          : 'garbage',
  );
  const api = createRemoteApi(remote.transport);

  assert.deepEqual(await api.call('runs.queue', {}), { running: null, queued: [] });
  await assert.rejects(
    // @ts-expect-error: the compiler refuses it too; at run time it must not reach the transport
    api.call('runs.start', { config: { model: 'lenet', epochs: 'two' } }),
    (error: unknown) => error instanceof ApiError && error.code === 'invalid-request' && error.field === 'config.epochs',
  );
  assert.deepEqual(remote.sent.map(([m]) => m), ['runs.queue'], 'the invalid request was never sent');

  await assert.rejects(api.call('runs.cancel', { runId: 'a' }), { code: 'conflict', message: 'run a is completed' } as object);
  await assert.rejects(api.call('dataset.status', {}), (error: unknown) => {
    assert.ok(error instanceof ApiError && error.code === 'internal');
    assert.match(error.message, /reply failed validation/);
    return true;
  });
  await assert.rejects(api.call('runs.list', {}), /malformed reply/);
});

test('events are validated; the transport listens while anyone subscribes', () => {
  const remote = scripted(() => undefined);
  const problems: string[] = [];
  const api = createRemoteApi(remote.transport, { onInvalidEvent: (p) => problems.push(p) });
  const a: WorkbenchEvent[] = [];
  const b: WorkbenchEvent[] = [];
  const offA = api.subscribe((e) => a.push(e));
  const offB = api.subscribe((e) => b.push(e));
  assert.deepEqual(remote.counts(), { listens: 1, stops: 0 });

  const queued = { topic: 'queue', seq: 0, queue: { running: null, queued: [] } };
  remote.emit(queued);
  remote.emit({ topic: 'queue', seq: 1 });
  remote.emit({ topic: 'run', seq: 2, runId: 'r', event: { type: 'batch', time: 1, epoch: 0, step: 0, batch: 0, loss: Number.NaN, accuracy: 0, imagesPerSec: 1 } });
  assert.equal(a.length, 2, 'the event without its queue was dropped; the NaN loss went through');
  assert.deepEqual(b, a);
  assert.equal(problems.length, 1);

  offA();
  assert.deepEqual(remote.counts(), { listens: 1, stops: 0 });
  offB();
  assert.deepEqual(remote.counts(), { listens: 1, stops: 1 });
});

test('the Electron client is the same client over the preload bridge', async () => {
  const calls: [string, unknown][] = [];
  const api = createElectronApi({
    call: async (method, request) => {
      calls.push([method, request]);
      return { ok: true, result: { cancelled: false } };
    },
    onEvent: () => () => undefined,
  });
  assert.deepEqual(await api.call('dataset.cancelDownload', {}), { cancelled: false });
  assert.deepEqual(calls, [['dataset.cancelDownload', {}]]);
});
