import type { EngineInfo } from '../../shared/train/events';
import { ENGINE_IDS, type EngineChoice, type EngineId } from '../../shared/train/run-config';
import type { GpuAdapter } from '../../shared/train/gpu-adapter';
import { cpuRow } from './cpu/row';
import type { EngineOptions, EngineRow, LoadRequest } from './engine-row';
import { EngineUnavailableError, shortenMessage } from './engine-unavailable';
import { installedVersion } from './installed-version';
import { tensorflowGpuRow, tensorflowRow } from './native/row';
import { wasmRow } from './wasm/row';
import { webgpuRow } from './webgpu/row';
import { pytorchRow } from './pytorch/row';
import { errorMessage } from '../../shared/error-message';

export type { EngineOptions } from './engine-row';
export { ENGINE_PACKAGES } from './engine-packages';

/**
 * The engines, one row each (core/engine/<engine>/row.ts): loader, self-check,
 * memory rule, buffer check. `auto` walks them in ENGINE_IDS order. Nothing
 * here imports tfjs until an engine is loaded, so the memory estimate can
 * read the rows in any process.
 */
export const ENGINE_ROWS: Readonly<Record<EngineId, EngineRow>> = {
  'tensorflow-gpu': tensorflowGpuRow,
  webgpu: webgpuRow,
  tensorflow: tensorflowRow,
  wasm: wasmRow,
  cpu: cpuRow,
  pytorch: pytorchRow,
};

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

/**
 * Makes `choice` the active tfjs backend and returns what to record with the
 * run. 'auto' takes the first engine, in ENGINE_IDS order, that loads and
 * passes the self-check; its detail names the engines it skipped and why.
 * A forced engine that cannot be used throws an Error naming the engine, the
 * reason and the fix, and leaves the previous backend active.
 */
export function selectEngine(
  choice: EngineChoice,
  options: EngineOptions = {},
  /** Each engine's own load options (its RunPlan's), on top of `options`. */
  plannedFor: (id: EngineId) => EngineOptions = () => ({}),
): Promise<EngineInfo> {
  return exclusive(async () => {
    const tf = await tfjs();
    if (choice !== 'auto') {
      if (ENGINE_ROWS[choice].run && options.ownRunnerOk !== true) {
        const tfjsEngines = ENGINE_IDS.filter((id) => ENGINE_ROWS[id].run === undefined);
        throw new Error(`Engine '${choice}' trains runs in its own process and cannot compute here: choose one of ${tfjsEngines.join(', ')} (or auto)`);
      }
      const before = tf.engine().backendName;
      try {
        return await activate(choice, { ...options, ...plannedFor(choice), byName: true });
      } catch (error) {
        if (before) await tf.setBackend(before);
        throw new Error(`Engine '${choice}' is unavailable: ${describe(error)}`, { cause: error });
      }
    }
    const skipped: string[] = [];
    // An engine that runs runs itself is never walked to: auto picks it by measured speed (run-engine.ts).
    for (const id of ENGINE_IDS.filter((engine) => ENGINE_ROWS[engine].run === undefined)) {
      try {
        const info = await activate(id, { ...options, ...plannedFor(id), byName: false });
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
    const tf = await tfjs();
    await tf.ready();
    const before = tf.getBackend();
    const statuses: EngineStatus[] = [];
    try {
      for (const id of ENGINE_IDS) {
        const status: EngineStatus = { id, available: false, package: ENGINE_ROWS[id].package };
        try {
          const info = await activate(id, { byName: true });
          Object.assign(status, { available: true, version: info.version, detail: info.detail, adapter: info.adapter });
          if (info.adapter?.software) status.detail += "; auto skips it (a software adapter is slower than wasm)";
        } catch (error) {
          status.reason = describe(error);
          status.version = installedVersion(ENGINE_ROWS[id].package);
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
  const row = ENGINE_ROWS[id];
  const loaded = await row.load(request);
  try {
    await row.selfCheck?.(loaded.backend);
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

/**
 * tfjs, imported when an engine is first selected or probed. The cpu backend
 * prints a banner urging tfjs-node on first use; engine choice is ours to
 * explain (the `engines` command says why native TensorFlow is missing).
 */
async function tfjs(): Promise<typeof import('@tensorflow/tfjs')> {
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true);
  return tf;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs one probe or selection at a time: each switches the process-wide tfjs backend. */
function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task);
  queue = result.catch(() => undefined);
  return result;
}
