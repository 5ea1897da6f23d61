import * as tf from '@tensorflow/tfjs';
import type { EngineInfo } from '../../../shared/train/events';
import { describeGpuAdapter } from '../../../shared/train/gpu-adapter';
import { ENGINE_PACKAGES } from '../engine-packages';
import { EngineUnavailableError } from '../engine-unavailable';
import { installedVersion } from '../installed-version';
import { openGpuAdapter, WEBGPU_BINDING_PACKAGE } from './adapter';
import { registerWebGpuTrainingKernels } from './training-kernels';

export const WEBGPU_PACKAGE = ENGINE_PACKAGES.webgpu;
const BACKEND = 'webgpu';

export interface WebGpuEngineOptions {
  /**
   * Take a software adapter (SwiftShader, lavapipe, llvmpipe): only when the
   * user asked for this engine by name. It computes on the CPU, slower than
   * the wasm engine, so `auto` never picks it.
   */
  allowSoftware: boolean;
}

let registered = false;

/**
 * WebGPU through Dawn: tfjs's webgpu backend on the adapter Dawn opens, plus
 * our faster training kernels. Leaves 'webgpu' as the active backend. Throws
 * EngineUnavailableError with the reason and fix: no binding, no adapter, or
 * only a software adapter where a hardware one was required.
 */
export async function loadWebGpuEngine(options: WebGpuEngineOptions): Promise<Omit<EngineInfo, 'id'>> {
  const { adapter, description } = await openGpuAdapter();
  if (description.software && !options.allowSoftware) {
    throw new EngineUnavailableError(
      `only a software adapter, ${describeGpuAdapter(description)}, which computes on the CPU more slowly than wasm`,
      "install a GPU driver with Vulkan, D3D12 or Metal, or choose engine 'webgpu' by name to use it anyway",
    );
  }
  if (!registered) {
    await registerBackend(adapter);
    registered = true;
  }
  if (!(await tf.setBackend(BACKEND))) {
    throw new EngineUnavailableError(
      `tfjs's webgpu backend failed to start on ${describeGpuAdapter(description)} (see the warning above)`,
      "update the GPU driver, or choose engine 'wasm'",
    );
  }
  const binding = [WEBGPU_BINDING_PACKAGE, installedVersion(WEBGPU_BINDING_PACKAGE)].filter(Boolean).join(' ');
  return {
    backend: BACKEND,
    version: installedVersion(WEBGPU_PACKAGE) ?? 'unknown',
    detail: `${describeGpuAdapter(description)} through Dawn (${binding})`,
    adapter: description,
  };
}

/**
 * Registers the backend on our adapter. The package registers one itself at
 * import only when `navigator.gpu` already exists, and then asks for an
 * adapter of its own choosing; importing it first and setting `navigator.gpu`
 * after keeps the choice here (its backend's constructor checks for it).
 */
async function registerBackend(adapter: GPUAdapter): Promise<void> {
  const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory(BACKEND)) tf.removeBackend(BACKEND);
  const navigator = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
  navigator.gpu ??= {};

  registerWebGpuTrainingKernels();

  tf.registerBackend(
    BACKEND,
    async () => {
      const { limits } = adapter;
      // The adapter's own maxima, not WebGPU's defaults (128 MB bindings): VGG's activations need them.
      const device = await adapter.requestDevice({
        // Kernel times for `bench --profile` (tfjs times kernels only while profiling).
        requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      return new webgpu.WebGPUBackend(device, adapter.info);
    },
    // Below cpu's 1: never tfjs's own default pick, only ours by name.
    0,
  );
}
