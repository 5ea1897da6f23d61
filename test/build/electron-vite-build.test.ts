import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeEnginesInChildProcess } from '../../src-main/service/engine-probe';
import { measureSpeedInChildProcess } from '../../src-main/service/engine-speed';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { PredictionWorkerSource } from '../../src-main/service/prediction-worker-source';
import { REPLICA_WORKER_ENV } from '../../src-main/core/thread/replica-entry';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = (path: string) => join(root, 'out', path);
const dir = mkdtempSync(join(tmpdir(), 'build-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('electron-vite builds main, preload and renderer; the bundled workers run in plain Node', { timeout: 180_000 }, async () => {
  const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(build.status, 0, build.stderr || build.stdout);

  // The main process loads no TensorFlow: that is the workers' business.
  const main = readFileSync(out('main/index.js'), 'utf8');
  assert.match(main, /from "electron"/);
  assert.doesNotMatch(main, /@tensorflow/);
  // A sandboxed preload: one CommonJS file that requires nothing but electron.
  const preload = readFileSync(out('preload/index.cjs'), 'utf8');
  assert.deepEqual([...preload.matchAll(/require\(([^)]*)\)/g)].map((m) => m[1]), ['"electron"']);
  assert.doesNotMatch(preload, /^import /m);
  assert.match(preload, /exposeInMainWorld\(BRIDGE_GLOBAL/);
  assert.match(readFileSync(out('renderer/index.html'), 'utf8'), /Content-Security-Policy[^>]*default-src 'self'/);

  const chunk = (name: string) => {
    const match = main.match(new RegExp(`"\\./(chunks/${name}-[^"]+\\.js)"`));
    assert.ok(match, `main imports the ${name} entry with ?modulePath`);
    return out(`main/${match[1]}`);
  };
  // As the Electron main process does: the bundled replica entry, for data-parallel threads.
  process.env[REPLICA_WORKER_ENV] = chunk('replica-worker.entry');
  const service = ExperimentService.open({
    databasePath: join(dir, 'runs.sqlite'),
    dataDir: dir,
    workerPath: chunk('training-worker.entry'),
    predictions: new PredictionWorkerSource(chunk('prediction-worker.entry')),
    probeEngines: () => probeEnginesInChildProcess({ scriptPath: chunk('engine-probe.entry'), execArgv: [] }),
    measureSpeed: (engine) => measureSpeedInChildProcess(engine, chunk('engine-speed.entry')),
  });
  try {
    const { engines } = await service.call('engines.list', {});
    assert.equal(engines.find((e) => e.id === 'wasm')?.available, true);
    // The bundled speed measurement answers, as the Plans view and the baselines ask it.
    const measured = await service.call('engines.speed', { engine: 'wasm' });
    assert.equal(measured.engine, 'wasm');
    assert.ok(measured.speed.imagesPerSec > 0);
    const { run } = await service.call('runs.start', {
      config: { model: 'lenet', epochs: 1, batchSize: 64, lr: 0.1, trainLimit: 128, testLimit: 50, engine: 'wasm' },
    });
    await service.idle();
    const done = (await service.call('runs.get', { runId: run.id })).run;
    assert.equal(done.status, 'completed');
    // Every core: the bundled replica threads ran, not the fallback to one network.
    if (availableParallelism() > 1) assert.match(done.engine?.detail ?? '', /data-parallel replicas/);
    const wrong = await service.call('runs.misclassified', { runId: run.id, limit: 1 });
    assert.ok(wrong.available, wrong.available ? '' : wrong.reason);
    assert.equal(wrong.evaluated, 50);
  } finally {
    await service.close();
  }
});
