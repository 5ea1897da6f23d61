import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { ENGINE_IDS } from '../../../src-main/shared/train/run-config';
import { engineInfoSchema } from '../../../src-main/shared/train/events';
import { probeEngines, selectEngine } from '../../../src-main/core/engine/engines';
import { explainImportError } from '../../../src-main/core/engine/native/native-engine';
import { selfCheckBackend } from '../../../src-main/core/engine/self-check';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

/** Whether tfjs-node's native addon was built or downloaded here (it is not on the dev machine). */
function nativeAddonPresent(name: string): boolean {
  try {
    const lib = join(dirname(require.resolve(`${name}/package.json`)), 'lib');
    return existsSync(lib) && readdirSync(lib).some((dir) => existsSync(join(lib, dir, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}
const noNativeAddons = !nativeAddonPresent('@tensorflow/tfjs-node') && !nativeAddonPresent('@tensorflow/tfjs-node-gpu');

test("selectEngine('wasm') activates wasm and reports itself", async () => {
  const info = await selectEngine('wasm');
  assert.equal(tf.getBackend(), 'wasm');
  engineInfoSchema.parse(info);
  assert.equal(info.id, 'wasm');
  assert.equal(info.backend, 'wasm');
  assert.equal(info.version, packageVersion('@tensorflow/tfjs-backend-wasm'));
  assert.match(info.detail ?? '', /SIMD (on|off), \d+ threads?/);
  // The engine trains conv nets: the filter gradient is registered.
  assert.ok(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'));
});

test("selectEngine('cpu') activates cpu and reports itself", async () => {
  const info = await selectEngine('cpu');
  assert.equal(tf.getBackend(), 'cpu');
  engineInfoSchema.parse(info);
  assert.deepEqual(
    { id: info.id, backend: info.backend, version: info.version },
    { id: 'cpu', backend: 'cpu', version: packageVersion('@tensorflow/tfjs-backend-cpu') },
  );
});

test(
  "selectEngine('tensorflow') fails with the engine, the reason and the fix, and keeps the backend",
  { skip: noNativeAddons ? false : 'a tfjs-node addon is installed here' },
  async () => {
    await selectEngine('cpu');
    await assert.rejects(selectEngine('tensorflow'), (error: Error) => {
      assert.match(error.message, /^Engine 'tensorflow' is unavailable: /);
      // Installed without libtensorflow (its download blocked), or left out by npm when the download failed.
      assert.match(
        error.message,
        /native addon not found: \S+tfjs-node\S+tfjs_binding\.node. Fix: run `npm rebuild @tensorflow\/tfjs-node`|@tensorflow\/tfjs-node is not installed: its install downloads libtensorflow/,
      );
      return true;
    });
    assert.equal(tf.getBackend(), 'cpu');
  },
);

test(
  "selectEngine('auto') falls back to wasm here and records why it skipped the others",
  { skip: noNativeAddons ? false : 'a tfjs-node addon is installed here' },
  async () => {
    const info = await selectEngine('auto');
    assert.equal(info.id, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(info.detail ?? '', /skipped tensorflow-gpu: (native addon not found|\S+ is not installed).*; tensorflow: (native addon not found|\S+ is not installed)/);
  },
);

test('probeEngines lists all four engines with reasons and restores the backend', async () => {
  for (const before of ['cpu', 'wasm']) {
    await selectEngine(before as 'cpu' | 'wasm');
    const engines = await probeEngines();
    assert.equal(tf.getBackend(), before, 'probing must not switch the backend');
    assert.deepEqual(
      engines.map((e) => e.id),
      [...ENGINE_IDS],
    );
    for (const engine of engines) {
      // Every engine is a tfjs package but pytorch, which is the user's own Python package.
      assert.match(engine.package, engine.id === 'pytorch' ? /^torch$/ : /^@tensorflow\/tfjs-/);
      if (engine.available) assert.ok(engine.detail, `${engine.id} says what it runs on`);
      else assert.match(engine.reason ?? '', /\. Fix: /, `${engine.id} says why and what to do`);
    }
    const byId = Object.fromEntries(engines.map((e) => [e.id, e]));
    assert.equal(byId.wasm.available, true);
    assert.equal(byId.cpu.available, true);
    if (noNativeAddons) {
      assert.equal(byId.tensorflow.available, false);
      assert.equal(byId['tensorflow-gpu'].available, false);
      // Installed but unbuilt: the version still shows what is there; left out by npm (its
      // libtensorflow download failed): no version.
      let installed: string | undefined;
      try {
        installed = packageVersion('@tensorflow/tfjs-node');
      } catch {
        installed = undefined;
      }
      assert.equal(byId.tensorflow.version, installed);
    }
  }
});

test('the self-check rejects a backend whose kernel computes wrong numbers', async () => {
  await selectEngine('wasm');
  const good = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm') as KernelConfig;
  tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
  // Off by 5 %: far less than a wrong padding or stride causes, far more than rounding.
  tf.registerKernel({
    ...good,
    kernelFunc: (args) => {
      const right = good.kernelFunc(args) as tf.TensorInfo;
      const wrong = tf.getKernel(tf.Multiply, 'wasm').kernelFunc({
        inputs: { a: right, b: tf.scalar(1.05) },
        backend: args.backend,
      }) as tf.TensorInfo;
      (args.backend as tf.KernelBackend).disposeData(right.dataId);
      return wrong;
    },
  });
  try {
    await assert.rejects(selfCheckBackend('wasm'), /self-check: dw1 on 'wasm' differs from the cpu backend/);
  } finally {
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
    tf.registerKernel(good);
  }
  await selfCheckBackend('wasm');
});

test('native load failures become a short reason and a fix', () => {
  const notInstalled = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /app/x.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  const cpuMissing = explainImportError('@tensorflow/tfjs-node', notInstalled);
  assert.match(cpuMissing.reason, /^@tensorflow\/tfjs-node is not installed: its install downloads libtensorflow/);
  assert.match(cpuMissing.fix ?? '', /npm install` with the network/);
  // tfjs-node-gpu is opt-in (CUDA 11.2 only): the fix is its one install command.
  const gpuMissing = explainImportError(
    '@tensorflow/tfjs-node-gpu',
    Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node-gpu' imported from /app/x.js"), { code: 'ERR_MODULE_NOT_FOUND' }),
  );
  assert.match(gpuMissing.reason, /opt-in install/);
  assert.equal(gpuMissing.fix, 'run `npm install --no-save @tensorflow/tfjs-node-gpu@4.22.0` (docs/engines.md)');

  const cuda = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
  const cudaExplained = explainImportError('@tensorflow/tfjs-node-gpu', cuda);
  assert.equal(cudaExplained.reason, 'cannot load libcudart.so.11.0');
  assert.match(cudaExplained.fix ?? '', /CUDA 11\.2 \+ cuDNN 8\.1/);

  const libtensorflow = new Error(
    'libtensorflow.so.2: cannot open shared object file: No such file or directory\n    at Module._extensions..node',
  );
  const tfExplained = explainImportError('@tensorflow/tfjs-node', libtensorflow);
  assert.equal(tfExplained.reason, 'cannot load libtensorflow.so.2');
  assert.match(tfExplained.fix ?? '', /npm rebuild @tensorflow\/tfjs-node/);

  const other = new Error(`${'x'.repeat(500)}\nsecond line`);
  const otherExplained = explainImportError('@tensorflow/tfjs-node', other);
  assert.ok(otherExplained.reason.length < 260, 'long messages are shortened');
  assert.doesNotMatch(otherExplained.reason, /second line/);
});
