import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { SWIFTSHADER_ICD } from '../core/engine/webgpu-fixture';

const home = mkdtempSync(join(tmpdir(), 'vgg-cli-'));
/** Dawn sees SwiftShader, Debian chromium's software Vulkan driver, as the only adapter (what CI has). */
const swiftShaderOnly = existsSync(SWIFTSHADER_ICD) ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {};
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, VGG_WORKBENCH_HOME: home, ...swiftShaderOnly },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('bad flags get a clear message and exit status 2', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--epochs', 'x'], /--epochs <n>.*'x' is invalid/],
    // Ranges are checked once, by the service; its refusal comes back naming the flag, not the field.
    [['train', '--lr', '-1'], /error: --lr: .*>0/],
    [['train', '--lr', '11'], /error: --lr: .*<=10/],
    [['train', '--epochs', '0'], /error: --epochs: .*>=1/],
    [['train', '--arch', '1x64', '--width-ratio', '0'], /error: --width-ratio: /],
    [['train', '--data', '/nonexistent/fashion'], /error: --data: Fashion-MNIST folder \/nonexistent\/fashion does not exist/],
    [['train', '--model', 'vgg99'], /unknown model "vgg99": choose one of vgg11, .*alexnet/],
    [['train', '--engine', 'cuda'], /--engine.*Allowed choices are auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/],
    [['train', '--arch', '2x'], /--arch/],
    [['train', '--model', 'vgg11', '--resize', '28'], /at least 32×32.*--resize 32/],
    // The queue's door is the same door: refused here, before the queue is even looked for.
    [['train', '--model', 'vgg11', '--resize', '28', '--queue', 'redis://127.0.0.1:1'], /--resize: .*at least 32×32.*--resize 32/],
    [['train', '--lr', '11', '--queue', 'redis://127.0.0.1:1'], /error: --lr: .*<=10/],
    [['train', '--memory-limit', 'lots'], /error: --memory-limit: .*a size like 6GB/],
    [['train', '--memory-limit', '6GB', '--queue', 'redis://127.0.0.1:1'], /--memory-limit plans this machine's memory/],
    [['train', '--model', 'lenet', '--width-ratio', '4'], /only VGG models take width ratio/],
    [['train', '--bogus'], /unknown option '--bogus'/],
    [['models', '--input', '22xx'], /HEIGHTxWIDTHxCHANNELS/],
    [['nonsense'], /unknown command 'nonsense'/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = cli(...args);
    assert.equal(code, 2, `${args.join(' ')} exits 2 (stderr: ${stderr})`);
    assert.match(stderr, message, args.join(' '));
  }
});

test('models --json gives name, params, macs and layers; VGG-16 matches the paper at 224×224×3', () => {
  const { code, stdout } = cli('models', '--model', 'vgg16', '--input', '224x224x3', '--classes', '1000', '--json');
  assert.equal(code, 0);
  const [vgg16] = JSON.parse(stdout) as { name: string; params: number; macs: number; layers: { name: string; outputShape: number[]; params: number }[] }[];
  assert.equal(vgg16!.name, 'vgg16');
  assert.equal(vgg16!.params, 138_357_544);
  assert.ok(Math.abs(vgg16!.macs / 1e9 - 15.47) < 0.01);
  assert.deepEqual(vgg16!.layers.at(-1), { name: 'fc3', kind: 'dense', outputShape: [1000], params: 4_097_000, macs: 4_096_000 });
});

test('models prints a table with the block shapes of VGG-11 at 96×96', () => {
  const { code, stdout } = cli('models', '--model', 'vgg11', '--resize', '96');
  assert.equal(code, 0);
  for (const shape of ['48×48×64', '24×24×128', '12×12×256', '6×6×512', '3×3×512']) assert.match(stdout, new RegExp(shape));
  assert.match(stdout, /44,920,074/);
});

test('engines lists all six with availability and reasons', () => {
  const { code, stdout } = cli('engines', '--json');
  assert.equal(code, 0);
  const engines = JSON.parse(stdout) as { id: string; available: boolean; reason?: string; detail?: string; adapter?: { vendor: string; software: boolean } }[];
  assert.deepEqual(engines.map((e) => e.id), ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu', 'pytorch']);
  assert.ok(engines.find((e) => e.id === 'wasm')!.available);
  for (const e of engines.filter((x) => !x.available)) assert.ok(e.reason && e.reason.length > 10);
});

test('engines shows webgpu on SwiftShader as a software adapter that auto skips', (t) => {
  if (!('VK_ICD_FILENAMES' in swiftShaderOnly)) return t.skip('no SwiftShader here (apt-get install chromium)');
  const { code, stdout } = cli('engines', '--json');
  assert.equal(code, 0);
  const engines = JSON.parse(stdout) as { id: string; available: boolean; reason?: string; detail?: string; adapter?: { vendor: string; software: boolean } }[];
  const webgpu = engines.find((e) => e.id === 'webgpu')!;
  assert.ok(webgpu.available, webgpu.reason);
  assert.equal(webgpu.adapter?.vendor, 'google');
  assert.equal(webgpu.adapter?.software, true);
  assert.match(webgpu.detail ?? '', /software adapter.*auto skips it/);
});

test('auto does not pick a software adapter: with only SwiftShader, a run says wasm', (t) => {
  if (!('VK_ICD_FILENAMES' in swiftShaderOnly)) return t.skip('no SwiftShader here (apt-get install chromium)');
  const run = cli('train', '--model', 'lenet', '--epochs', '1', '--batch', '32', '--train-limit', '32', '--test-limit', '32', '--engine', 'auto', '--checkpoints', 'none', '--data', REAL_DATA_DIR, '--json');
  assert.equal(run.code, 0, run.stderr);
  const start = JSON.parse(run.stdout.split('\n')[0]!) as { type: string; engine: { id: string; detail?: string } };
  assert.equal(start.engine.id, 'wasm');
  assert.match(start.engine.detail ?? '', /skipped .*webgpu: only a software adapter/);
});

test("train prints the book's line after each epoch; --json prints one event per line", () => {
  const human = cli('train', '--model', 'lenet', '--epochs', '1', '--batch', '64', '--train-limit', '640', '--test-limit', '200', '--engine', 'wasm', '--data', REAL_DATA_DIR);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^Epoch 0\. Loss: \d+\.\d{3}, Train acc \d\.\d{2}, Test acc \d\.\d{2}, Time \d+\.\d sec$/m);

  const json = cli('train', '--model', 'lenet', '--epochs', '2', '--batch', '64', '--train-limit', '320', '--test-limit', '100', '--engine', 'wasm', '--data', REAL_DATA_DIR, '--json');
  assert.equal(json.code, 0, json.stderr);
  const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(events[0]!.type, 'start');
  assert.equal(events.at(-1)!.type, 'done');
  const epochs = events.filter((e) => e.type === 'epoch');
  assert.equal(epochs.length, 2);
  for (const key of ['epoch', 'loss', 'trainAcc', 'testAcc', 'seconds']) assert.equal(typeof epochs[0]![key], 'number', key);
  assert.equal(events.filter((e) => e.type === 'batch').length, 10);
});
