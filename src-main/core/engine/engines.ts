import * as tf from '@tensorflow/tfjs';
import type { EngineInfo } from '../../shared/train/events';
import type { GpuAdapter } from '../../shared/train/gpu-adapter';
import { ENGINE_IDS, type EngineChoice, type EngineId } from '../../shared/train/run-config';
import { EngineUnavailableError, shortenMessage } from './engine-unavailable';
import { installedVersion, loadNativeEngine, NATIVE_PACKAGES } from './native-engine';
import { selfCheckBackend } from './self-check';
import { loadWasmEngine, WASM_PACKAGE, type WasmLayout } from './wasm-engine';
import { loadWebGpuEngine, WEBGPU_PACKAGE } from './webgpu-engine';
import { errorMessage } from '../../shared/error-message';

// The cpu backend prints a banner urging tfjs-node on first use; engine choice is
// ours to explain (the `engines` command says why native TensorFlow is missing).
tf.env().set('PROD', true);

/** One engine as the CLI `engines` command and the GUI list it. */
export interface EngineStatus {
  id: EngineId;
  available: boolean;
  /** The npm package that provides the engine. */
  package: string;
  /** Installed version of that package, when it is installed. */
  version?: string;
  /** Why the engine cannot be used, and the fix. Set when unavailable. */
  reason?: string;
  /** What the engine runs on, e.g. "libtensorflow 2.9.1 on the GPU". Set when available. */
  detail?: string;
  /** The webgpu engine's adapter, when Dawn found one (also when `auto` would skip it). */
  adapter?: GpuAdapter;
}

export const ENGINE_PACKAGES: Record<EngineId, string> = {
  'tensorflow-gpu': NATIVE_PACKAGES['tensorflow-gpu'],
  webgpu: WEBGPU_PACKAGE,
  tensorflow: NATIVE_PACKAGES.tensorflow,
  wasm: WASM_PACKAGE,
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/**
 * How an engine is being asked for: by name (the user chose it, or the probe
 * lists it) or by `auto`, which takes only what should beat the engines after
 * it (webgpu: a hardware adapter, not SwiftShader).
 */
interface LoadRequest extends EngineOptions {
  byName: boolean;
}

/** What a run asks of the engine beyond its name. */
export interface EngineOptions {
  /** CPU threads (the wasm engine's); absent: every core. */
  threads?: number;
  /** How the wasm engine spends them, as planned to fit memory (train/replica-layout.ts); absent: a replica per thread. */
  layout?: WasmLayout;
  /** Why that layout, for the wasm engine's detail: "4 replicas (9.1 GB planned of 16 GB)". */
  layoutNote?: string;
}

const loaders: Record<EngineId, (request: LoadRequest) => Promise<Omit<EngineInfo, 'id'>>> = {
  'tensorflow-gpu': () => loadNativeEngine('tensorflow-gpu'),
  webgpu: ({ byName }) => loadWebGpuEngine({ allowSoftware: byName }),
  tensorflow: () => loadNativeEngine('tensorflow'),
  wasm: async ({ threads, layout, layoutNote }) => {
    const info = await loadWasmEngine({ threads, ...(layout ? { layout } : {}) });
    return layoutNote ? { ...info, detail: `${info.detail ?? 'wasm'}; ${layoutNote}` } : info;
  },
  cpu: async () => ({
    backend: 'cpu',
    version: tf.version['tfjs-backend-cpu'],
    detail: 'plain JavaScript kernels',
  }),
};

/**
 * Makes `choice` the active tfjs backend and returns what to record with the
 * run. 'auto' takes the first engine, in ENGINE_IDS order, that loads and
 * passes the self-check; its detail names the engines it skipped and why.
 * A forced engine that cannot be used throws an Error naming the engine, the
 * reason and the fix, and leaves the previous backend active.
 */
export function selectEngine(choice: EngineChoice, options: EngineOptions = {}): Promise<EngineInfo> {
  return exclusive(async () => {
    if (choice !== 'auto') {
      const before = tf.engine().backendName;
      try {
        return await activate(choice, { ...options, byName: true });
      } catch (error) {
        if (before) await tf.setBackend(before);
        throw new Error(`Engine '${choice}' is unavailable: ${describe(error)}`, { cause: error });
      }
    }
    const skipped: string[] = [];
    for (const id of ENGINE_IDS) {
      try {
        const info = await activate(id, { ...options, byName: false });
        if (skipped.length === 0) return info;
        return { ...info, detail: `${info.detail ?? id}; skipped ${skipped.join('; ')}` };
      } catch (error) {
        skipped.push(`${id}: ${error instanceof EngineUnavailableError ? error.reason : describe(error)}`);
      }
    }
    throw new Error(`No engine works here: ${skipped.join('; ')}`);
  });
}

/**
 * Every engine, available or not, and why. Loads and self-checks each one,
 * then returns to the backend that was active before (or that tfjs would
 * have picked, if none was yet).
 */
export function probeEngines(): Promise<EngineStatus[]> {
  return exclusive(async () => {
    await tf.ready();
    const before = tf.getBackend();
    const statuses: EngineStatus[] = [];
    try {
      for (const id of ENGINE_IDS) {
        const status: EngineStatus = { id, available: false, package: ENGINE_PACKAGES[id] };
        try {
          const info = await activate(id, { byName: true });
          Object.assign(status, { available: true, version: info.version, detail: info.detail, adapter: info.adapter });
          if (info.adapter?.software) status.detail += "; auto skips it (a software adapter is slower than wasm)";
        } catch (error) {
          status.reason = describe(error);
          status.version = installedVersion(ENGINE_PACKAGES[id]);
        }
        statuses.push(status);
      }
    } finally {
      await tf.setBackend(before);
    }
    return statuses;
  });
}

/** Load, switch to, and self-check one engine. */
async function activate(id: EngineId, request: LoadRequest): Promise<EngineInfo> {
  const loaded = await loaders[id](request);
  try {
    await selfCheckBackend(loaded.backend);
  } catch (error) {
    throw new EngineUnavailableError(
      `${loaded.backend} backend loaded but failed its self-check: ${describe(error)}`,
      `choose another engine, and report this with the output of the \`engines\` command`,
    );
  }
  return { id, ...loaded };
}

function describe(error: unknown): string {
  if (error instanceof EngineUnavailableError) return error.message;
  return shortenMessage(errorMessage(error));
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs one probe or selection at a time: each switches the process-wide tfjs backend. */
function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task);
  queue = result.catch(() => undefined);
  return result;
}
