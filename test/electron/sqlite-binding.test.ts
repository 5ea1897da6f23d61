import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronSqliteBinding, SQLITE_BINDING_ENV, sqliteBindingForMain } from '../../src-main/electron/sqlite-binding';
import { RunStore } from '../../src-main/core/store/run-store';
import { openCliService } from '../../src-main/cli/open-cli-service';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-binding-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const target = { abi: '140', platform: 'linux', arch: 'x64' };

test('the main process asks for the Electron build, named by ABI, platform and arch', () => {
  const packaged = sqliteBindingForMain({ packaged: true, appPath: '/opt/app', target, env: {} });
  assert.equal(packaged, '/opt/app/native/better-sqlite3-electron-v140-linux-x64/better_sqlite3.node');
  assert.equal(packaged, electronSqliteBinding('/opt/app', target));
  // The packaged app never loads a native library an environment variable names.
  assert.equal(sqliteBindingForMain({ packaged: true, appPath: '/opt/app', target, env: { [SQLITE_BINDING_ENV]: '/tmp/evil.node' } }), packaged);
  // `npm start` (unpackaged) may point it elsewhere.
  assert.equal(sqliteBindingForMain({ packaged: false, appPath: '/src', target, env: { [SQLITE_BINDING_ENV]: '/tmp/x.node' } }), '/tmp/x.node');
});

test('a store opened with a nativeBinding loads that addon, and fails naming it when it is missing', () => {
  const missing = join(dir, 'absent', 'better_sqlite3.node');
  assert.throws(() => RunStore.open(join(dir, 'a.sqlite'), { nativeBinding: missing }), (error: Error) => error.message.includes(missing));
  const store = RunStore.open(join(dir, 'b.sqlite'), {
    nativeBinding: join(process.cwd(), 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
  });
  store.close();
});

test("the CLI opens its database with Node's build, whatever the Electron variable says", async () => {
  const before = process.env[SQLITE_BINDING_ENV];
  process.env[SQLITE_BINDING_ENV] = join(dir, 'not-an-addon.node');
  process.env.VGG_WORKBENCH_HOME = dir;
  try {
    const service = await openCliService({ db: join(dir, 'cli.sqlite'), checkpoints: 'last' });
    assert.deepEqual((await service.call('runs.list', {})).runs, []);
    await service.close();
  } finally {
    if (before === undefined) delete process.env[SQLITE_BINDING_ENV];
    else process.env[SQLITE_BINDING_ENV] = before;
  }
});
