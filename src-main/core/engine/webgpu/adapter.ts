import type { GpuAdapter } from '../../../shared/train/gpu-adapter';
import { errorMessage } from '../../../shared/error-message';
import { EngineUnavailableError, shortenMessage } from '../engine-unavailable';
import { missingVulkanDriver, vulkanDriverManifests } from './vulkan-drivers';
import { searchAdapterApart } from './dawn-preflight';
import { readDawnStderr } from './dawn-stderr';

/**
 * Dawn, Google's WebGPU implementation, through its Node binding (the npm
 * package `webgpu`, an optional dependency with N-API prebuilds for Linux,
 * Windows and macOS). Dawn reaches the GPU through Vulkan, D3D12 or Metal,
 * so any vendor's ordinary driver serves, with no CUDA.
 */
export const WEBGPU_BINDING_PACKAGE = 'webgpu';

/** What the binding exports: a `navigator.gpu` factory and the WebGPU globals (GPUBufferUsage, …). */
interface DawnBinding {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

const NO_ADAPTER_FIX =
  'install the GPU vendor\'s driver with Vulkan (Linux: the Vulkan loader libvulkan1 and mesa-vulkan-drivers or ' +
  "NVIDIA's driver), D3D12 (Windows 10 or later) or Metal (macOS), or choose engine 'wasm'";

const NO_ADAPTER_REASON = 'Dawn found no WebGPU adapter: no GPU driver with Vulkan, D3D12 or Metal';

/** Names of CPU implementations of Vulkan/D3D12 that report themselves as ordinary adapters. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

let binding: DawnBinding | undefined;
/** What the binding is imported from: the package by name, or a file URL (the device kit carries it beside its bundle). */
let bindingSource: string = WEBGPU_BINDING_PACKAGE;

/** Loads Dawn's binding from `source` (a file URL of its index.js) instead of the npm package; call before the engine loads. */
export function loadDawnBindingFrom(source: string): void {
  bindingSource = source;
}

/**
 * Loads Dawn once per process and installs the WebGPU globals tfjs's
 * webgpu backend reads (GPUBufferUsage, GPUMapMode, GPUShaderStage).
 * Throws EngineUnavailableError with the fix when the binding cannot load.
 */
async function loadBinding(): Promise<DawnBinding> {
  if (binding) return binding;
  let loaded: DawnBinding;
  try {
    // A variable specifier: the package is optional, so neither tsc nor a bundler may resolve it.
    const specifier: string = bindingSource;
    loaded = (await import(specifier)) as DawnBinding;
  } catch (error) {
    const message = errorMessage(error);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${WEBGPU_BINDING_PACKAGE}'`)) {
      throw new EngineUnavailableError(
        `${WEBGPU_BINDING_PACKAGE} (Dawn's Node binding) is not installed`,
        `run \`npm install ${WEBGPU_BINDING_PACKAGE}@0.6.2\``,
      );
    }
    throw new EngineUnavailableError(
      `Dawn's Node binding failed to load: ${shortenMessage(message)}`,
      `reinstall it with \`npm install ${WEBGPU_BINDING_PACKAGE}@0.6.2\`; its prebuilds cover linux-x64/arm64, win32-x64/arm64 and macOS`,
    );
  }
  for (const [name, value] of Object.entries(loaded.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  binding = loaded;
  return loaded;
}

export interface OpenedAdapter {
  adapter: GPUAdapter;
  description: GpuAdapter;
}

let opened: Promise<OpenedAdapter> | undefined;
/**
 * Dawn's instance, held for the process's life: an adapter does not keep it
 * alive, and once the garbage collector takes it, using the adapter or its
 * device crashes the process (seen: a segfault in requestDevice).
 */
let instance: GPU | undefined;

/**
 * The high-performance adapter Dawn offers, opened once per process (a tfjs
 * backend keeps its device for the process's life). Throws
 * EngineUnavailableError naming what is missing when there is none.
 */
export function openGpuAdapter(): Promise<OpenedAdapter> {
  opened ??= (async () => {
    // Asked before Dawn loads: without a driver, Dawn's native code prints its own warnings to stderr.
    const noDriver = missingVulkanDriver();
    if (noDriver) throw new EngineUnavailableError(noDriver, NO_ADAPTER_FIX);
    // A driver is there, but Dawn may still turn it down (Debian 12's lavapipe) and print why from native code:
    // looked for apart first, so that case is said once, in our words, and Dawn is never loaded here.
    if (process.platform === 'linux') {
      const search = await searchAdapterApart(bindingSource);
      if (search && !search.found) {
        const verdict = readDawnStderr(search.stderr, vulkanDriverManifests());
        throw new EngineUnavailableError(verdict?.reason ?? NO_ADAPTER_REASON, verdict?.fix ?? NO_ADAPTER_FIX);
      }
    }
    const gpu = (instance ??= (await loadBinding()).create([]));
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      throw new EngineUnavailableError(NO_ADAPTER_REASON, NO_ADAPTER_FIX);
    }
    return { adapter, description: describeAdapter(adapter) };
  })();
  // A failure is final for this process: Dawn would find the same drivers again.
  return opened;
}

/** Reads what Dawn says of an adapter into the recorded shape. */
export function describeAdapter(adapter: GPUAdapter): GpuAdapter {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const fields = {
    vendor: text(info.vendor),
    architecture: text(info.architecture),
    device: text(info.device),
    description: text(info.description),
  };
  const software =
    info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(Object.values(fields).join(' '));
  const { limits } = adapter;
  return {
    ...fields,
    software,
    limits: {
      maxBufferSize: limits.maxBufferSize,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  };
}
