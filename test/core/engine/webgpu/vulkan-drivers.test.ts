import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingVulkanDriver, vulkanDriverSearchPaths } from '../../../../src-main/core/engine/webgpu/vulkan-drivers';
import { REAL_DATA_DIR } from '../../../helpers/fashion-mnist';

test('the driver search follows the Vulkan loader: explicit files replace the search, XDG folders otherwise', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const empty = { HOME: dir, XDG_DATA_DIRS: join(dir, 'share'), XDG_CONFIG_DIRS: join(dir, 'etc') };
  assert.deepEqual(vulkanDriverSearchPaths({ VK_ICD_FILENAMES: '/a.json:/b.json' }), ['/a.json', '/b.json']);
  assert.deepEqual(vulkanDriverSearchPaths({ VK_DRIVER_FILES: '/c.json', VK_ICD_FILENAMES: '/a.json' }), ['/c.json']);
  assert.ok(vulkanDriverSearchPaths({ HOME: '/home/u' }).includes('/usr/share/vulkan/icd.d'));
  assert.ok(vulkanDriverSearchPaths({ HOME: '/home/u' }).includes('/home/u/.local/share/vulkan/icd.d'));

  assert.equal(missingVulkanDriver({ ...empty, VK_ICD_FILENAMES: '/nonexistent.json' }, 'linux'), 'no Vulkan driver: VK_ICD_FILENAMES names /nonexistent.json, which holds no driver manifest');
  assert.equal(missingVulkanDriver({ VK_ICD_FILENAMES: '/nonexistent.json' }, 'win32'), undefined, 'only Linux looks for Vulkan manifests');
  // A manifest in one of the searched folders counts; /etc and /usr are searched too, so only the explicit form is asserted absent.
  const icd = join(dir, 'share', 'vulkan', 'icd.d');
  mkdirSync(icd, { recursive: true });
  writeFileSync(join(icd, 'some_icd.x86_64.json'), '{}');
  assert.equal(missingVulkanDriver({ ...empty, VK_ICD_FILENAMES: icd }, 'linux'), undefined);
  assert.equal(missingVulkanDriver({ ...empty }, 'linux'), undefined);
});

/** The CLI from source with no Vulkan driver at all. */
function cliWithoutVulkan(...args: string[]) {
  const home = mkdtempSync(join(tmpdir(), 'vk-cli-'));
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, VGG_WORKBENCH_HOME: home, VK_ICD_FILENAMES: '/nonexistent.json' },
      timeout: 120_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** What Dawn's native code prints when it finds no driver. */
const DAWN_NATIVE = /vkCreateInstance|Found no drivers|\.cpp:\d+|^Warning:/m;

test('without Vulkan drivers, engines and a train say so once in our words, never Dawn\'s native warnings', { timeout: 180_000 }, () => {
  const engines = cliWithoutVulkan('engines');
  assert.equal(engines.code, 0, engines.stderr);
  assert.doesNotMatch(engines.stderr + engines.stdout, DAWN_NATIVE);
  assert.match(engines.stdout, /webgpu .*\n +no Vulkan driver: VK_ICD_FILENAMES names \/nonexistent\.json/);

  const train = cliWithoutVulkan('train', '--model', 'lenet', '--epochs', '1', '--batch', '32', '--train-limit', '32', '--test-limit', '32', '--engine', 'auto', '--checkpoints', 'none', '--data', REAL_DATA_DIR, '--json', '--db', join(tmpdir(), `vk-${process.pid}.sqlite`));
  rmSync(join(tmpdir(), `vk-${process.pid}.sqlite`), { force: true });
  assert.equal(train.code, 0, train.stderr);
  assert.doesNotMatch(train.stderr + train.stdout, DAWN_NATIVE);
  assert.equal(train.stdout.match(/no Vulkan driver/g)?.length ?? 0, 1, 'said once, in the start event\'s engine detail');

  const refused = cliWithoutVulkan('train', '--model', 'lenet', '--epochs', '1', '--train-limit', '32', '--test-limit', '32', '--engine', 'webgpu', '--checkpoints', 'none', '--data', REAL_DATA_DIR);
  assert.notEqual(refused.code, 0);
  assert.doesNotMatch(refused.stderr, DAWN_NATIVE);
  assert.match(refused.stderr, /no Vulkan driver/);
});
