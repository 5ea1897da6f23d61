import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readDawnStderr } from '../../../../src-main/core/engine/webgpu/dawn-stderr';
import { vulkanDriverManifests } from '../../../../src-main/core/engine/webgpu/vulkan-drivers';

/** What Debian 12's lavapipe gets from Dawn (webgpu 0.6.2) on a desktop without a session's runtime folder (issue 34). */
const LAVAPIPE_STDERR = [
  'XDG_RUNTIME_DIR is invalid or not set in the environment.',
  'XDG_RUNTIME_DIR is invalid or not set in the environment.',
  'Warning: Vulkan shaderUniform*ArrayDynamicIndexing feature required.',
  '    at InitializeImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/PhysicalDeviceVk.cpp:257)',
  '',
].join('\n');
const LAVAPIPE = [{ file: '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', library: 'libvulkan_lvp.so' }];

test('a device Dawn turns down is named with the feature it lacks and the software renderer it is', () => {
  const verdict = readDawnStderr(LAVAPIPE_STDERR, LAVAPIPE);
  assert.equal(verdict?.reason, 'Found a Vulkan device but it lacks shaderUniform*ArrayDynamicIndexing, which Dawn requires (software renderer lavapipe)');
  assert.match(verdict?.fix ?? '', /GPU vendor's Vulkan driver/);
  assert.doesNotMatch(verdict?.fix ?? '', /libvulkan1 and mesa-vulkan-drivers/, 'not the advice to install what is installed');
  assert.equal(readDawnStderr(LAVAPIPE_STDERR, [])?.reason, 'Found a Vulkan device but it lacks shaderUniform*ArrayDynamicIndexing, which Dawn requires');
  assert.equal(readDawnStderr('XDG_RUNTIME_DIR is invalid or not set in the environment.\n', LAVAPIPE), undefined, 'Mesa’s session note alone says nothing');
});

/** A CLI from source whose only Vulkan driver is `manifest`. */
function enginesWith(manifest: object) {
  const dir = mkdtempSync(join(tmpdir(), 'fake-icd-'));
  try {
    const file = join(dir, 'fake_icd.x86_64.json');
    writeFileSync(file, JSON.stringify({ file_format_version: '1.0.0', ICD: { api_version: '1.3.0', ...manifest } }));
    const env = { ...process.env, VGG_WORKBENCH_HOME: dir, VK_ICD_FILENAMES: file };
    assert.deepEqual(vulkanDriverManifests(env), [{ file, library: (manifest as { library_path: string }).library_path }]);
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'engines'], { encoding: 'utf8', env, timeout: 120_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, file };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Dawn's, the Vulkan loader's and Mesa's own lines. */
const RAW = /vkCreateInstance|loader_|Found no drivers|XDG_RUNTIME_DIR|\.cpp:\d+|^Warning:/m;

test('engines with a Vulkan driver that fails: no raw Dawn or loader line, the reason in our words, no advice to install mesa', { timeout: 240_000 }, () => {
  const missing = enginesWith({ library_path: '/nonexistent/libvulkan_fake.so' });
  assert.equal(missing.code, 0, missing.stderr);
  assert.doesNotMatch(missing.stderr + missing.stdout, RAW);
  const webgpu = /^- webgpu .*\n +(.*)$/m.exec(missing.stdout)?.[1] ?? '';
  assert.match(webgpu, new RegExp(`^Found a Vulkan driver \\(${missing.file.replace(/[.]/g, '\\.')}\\) but its library /nonexistent/libvulkan_fake\\.so does not load: cannot open shared object file`));
  assert.doesNotMatch(webgpu, /mesa-vulkan-drivers/);

  // A library that loads but is no Vulkan driver at all (a Node addon).
  const notDriver = enginesWith({ library_path: createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node') });
  assert.equal(notDriver.code, 0, notDriver.stderr);
  assert.doesNotMatch(notDriver.stderr + notDriver.stdout, RAW);
  assert.match(notDriver.stdout, /- webgpu .*\n +Found a Vulkan driver .* is not a Vulkan driver/);
});
