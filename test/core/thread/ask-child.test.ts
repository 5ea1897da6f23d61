import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { askChild, STDERR_QUOTED_LINES } from '../../../src-main/core/thread/ask-child';
import { childExecArgv, forkChild } from '../../../src-main/core/thread/fork-child';
import { utilityChild, type UtilityProcessLike } from '../../../src-main/core/thread/utility-child';

/** Plain .mjs children started without tsx's loader: each starts in a few tens of milliseconds. */
const PLAIN = { execArgv: [] };
const dir = mkdtempSync(join(tmpdir(), 'ask-child-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
function child(name: string, source: string): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(path, source);
  return path;
}
// Each stays alive after it speaks (as a loaded libtensorflow keeps a probe alive): only a kill ends it.
const ANSWERS = child('answers', `process.send({ progress: 1 }); process.send({ answer: process.pid }); setInterval(() => {}, 1000);`);
const SILENT = child('silent', `process.send({ pid: process.pid }); setInterval(() => {}, 1000);`);
const CRASHES = child(
  'crashes',
  `for (let i = 1; i <= 8; i++) process.stderr.write('line ' + i + '\\n'); process.exitCode = 3;`,
);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}
const asNumber = (message: unknown, key: string): number | undefined => {
  const value = (message as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : undefined;
};

test('the first answer resolves (progress before it is passed over) and the child is killed', async () => {
  const seen: unknown[] = [];
  const pid = await askChild(
    () => forkChild(ANSWERS, [], PLAIN),
    (message) => {
      seen.push(message);
      const answer = asNumber(message, 'answer');
      return answer === undefined ? undefined : { answer };
    },
    { timeoutMs: 10_000, label: 'the test child' },
  );
  assert.deepEqual(seen, [{ progress: 1 }, { answer: pid }]);
  assert.ok(await gone(pid), 'the child was killed once it answered');
});

test('a child that does not answer in time is killed and the error says how long it had', async () => {
  let pid: number | undefined;
  await assert.rejects(
    askChild(
      () => forkChild(SILENT, [], PLAIN),
      (message) => {
        pid = asNumber(message, 'pid');
        return undefined;
      },
      { timeoutMs: 1500, label: 'the test child' },
    ),
    /^Error: the test child did not answer within 1\.5 s$/,
  );
  assert.ok(pid !== undefined, 'the child started and spoke');
  assert.ok(await gone(pid), 'the hung child was killed');
});

test('a child that exits without an answer is reported with its exit and the tail of its stderr', async () => {
  const error = await askChild(() => forkChild(CRASHES, [], PLAIN), () => undefined, { timeoutMs: 10_000, label: 'the test child' }).then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e as Error,
  );
  assert.match(error.message, /^the test child exited with code 3 without an answer:\n/);
  const quoted = error.message.split('\n').slice(1);
  assert.equal(quoted.length, STDERR_QUOTED_LINES);
  assert.deepEqual(quoted, ['line 4', 'line 5', 'line 6', 'line 7', 'line 8']);
});

test('a bad answer rejects with the parser’s error and the child is killed', async () => {
  let pid: number | undefined;
  await assert.rejects(
    askChild(
      () => forkChild(SILENT, [], PLAIN),
      (message) => {
        pid = asNumber(message, 'pid');
        throw new Error('the test child sent an invalid answer: expected a list');
      },
      { timeoutMs: 10_000, label: 'the test child' },
    ),
    /the test child sent an invalid answer: expected a list/,
  );
  assert.ok(pid !== undefined && (await gone(pid)), 'the child that answered badly was killed');
});

test('a child that cannot start is an error naming it', async () => {
  await assert.rejects(
    askChild(() => forkChild(join(dir, 'missing.mjs'), [], PLAIN), () => undefined, { timeoutMs: 10_000, label: 'the missing child' }),
    /^Error: the missing child (exited with code 1 without an answer|could not run)/,
  );
});

test("a utility process's exit is told with its stderr too (Electron's errors say why)", async () => {
  const stderr = new PassThrough();
  let killed = 0;
  const fake = Object.assign(new EventEmitter(), { stderr, kill: () => (killed += 1) > 0 }) as unknown as UtilityProcessLike & EventEmitter;
  const processes = {
    fork: (modulePath: string, args: string[], options: { serviceName: string; stdio: string[] }) => {
      assert.equal(modulePath, '/probe.js');
      assert.deepEqual(args, ['wasm']);
      assert.deepEqual(options.stdio, ['ignore', 'ignore', 'pipe'], 'stderr piped');
      return fake;
    },
  };
  const asked = askChild(() => utilityChild(processes, '/probe.js', ['wasm'], 'the probe'), () => undefined, {
    timeoutMs: 10_000,
    label: 'the engine probe',
  });
  stderr.write('Error: libtensorflow.so.2: cannot open shared object file\n');
  await new Promise((r) => setImmediate(r));
  fake.emit('exit', 1);
  await assert.rejects(asked, /^Error: the engine probe exited with code 1 without an answer:\nError: libtensorflow\.so\.2: cannot open/);
  assert.equal(killed, 1, 'killed once, as every settled ask');
});

test('children inherit the loader flags but not the test runner’s or the inspector’s', () => {
  assert.deepEqual(childExecArgv(['--import', 'tsx', '--test', '--test-reporter=spec', '--inspect=9229', '--watch']), ['--import', 'tsx']);
});
