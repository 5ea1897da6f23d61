import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { selectEngine } from '../../../src-main/core/engine/engines';
import { openGpuAdapter } from '../../../src-main/core/engine/webgpu/adapter';
import type { EngineInfo } from '../../../src-main/shared/train/events';
import { errorMessage } from '../../../src-main/shared/error-message';

/**
 * Debian's chromium ships SwiftShader, a Vulkan driver that computes on the
 * CPU: on a machine without a GPU (CI, here) it gives Dawn an adapter, so the
 * webgpu engine's kernels run for real. .ci/run installs chromium and the
 * Vulkan loader (libvulkan1).
 */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Points Dawn at SwiftShader unless the environment already names a Vulkan driver. Call before the engine loads. */
export function useSwiftShaderUnlessSet(): void {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

/**
 * Whether Dawn finds a WebGPU adapter here (SwiftShader when nothing else
 * is named). With none, CI fails (.ci/run installs what it needs) and a
 * developer's machine without chromium skips the test, saying why.
 */
export async function hasWebGpuAdapterOrSkip(t: TestContext): Promise<boolean> {
  useSwiftShaderUnlessSet();
  try {
    await openGpuAdapter();
    return true;
  } catch (error) {
    if (process.env.CI) throw error;
    t.skip(`no WebGPU adapter here (${errorMessage(error)}); install chromium and libvulkan1 for SwiftShader`);
    return false;
  }
}

/**
 * Selects the webgpu engine by name (which accepts a software adapter), or
 * skips as hasWebGpuAdapterOrSkip does. An adapter whose engine then fails
 * (its self-check, say) always fails.
 */
export async function selectWebGpuOrSkip(t: TestContext): Promise<EngineInfo | undefined> {
  return (await hasWebGpuAdapterOrSkip(t)) ? selectEngine('webgpu') : undefined;
}
