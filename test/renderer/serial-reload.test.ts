import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialReload } from '../../src-renderer/src/lib/serial-reload';

/** A reload whose replies the test releases by hand, in any order. */
function controlledReload(): { reload: () => Promise<void>; started: number; release: (index: number) => void; applied: number[] } {
  const waiters: (() => void)[] = [];
  const state = {
    started: 0,
    applied: [] as number[],
    reload: async (): Promise<void> => {
      const index = state.started++;
      await new Promise<void>((resolve) => waiters.push(resolve));
      state.applied.push(index);
    },
    release: (index: number) => waiters[index]!(),
  };
  return state;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a reload asked for while one is in flight runs once after it, never beside it', async () => {
  const c = controlledReload();
  const load = serialReload(c.reload);
  const first = load();
  const second = load();
  const third = load();
  await turn();
  assert.equal(c.started, 1, 'only one request at a time');
  c.release(0);
  await turn();
  assert.equal(c.started, 2, 'the calls made meanwhile fold into one more reload');
  c.release(1);
  await Promise.all([first, second, third]);
  assert.deepEqual(c.applied, [0, 1], 'replies are applied in the order asked');
  assert.equal(c.started, 2);
});

test('every call settles only after a reload that began after it', async () => {
  const c = controlledReload();
  const load = serialReload(c.reload);
  void load();
  await turn();
  let settled = false;
  const late = load().then(() => (settled = true));
  c.release(0);
  await turn();
  assert.equal(settled, false, 'the first reply was read before this call: not enough');
  c.release(1);
  await late;
  assert.equal(settled, true);
});

test('a failed reload does not wedge the next one', async () => {
  let calls = 0;
  const load = serialReload(async () => {
    calls += 1;
    if (calls === 1) throw new Error('network');
  });
  await assert.rejects(load(), /network/);
  await load();
  assert.equal(calls, 2);
});

test('a call made during a reload that fails still gets its own reload', async () => {
  let calls = 0;
  let fail: () => void = () => undefined;
  const load = serialReload(async () => {
    calls += 1;
    if (calls === 1) await new Promise<void>((_, reject) => (fail = () => reject(new Error('network'))));
  });
  const first = load();
  await turn();
  const second = load();
  fail();
  await Promise.all([first, second]);
  assert.equal(calls, 2);
});
