import * as tf from '@tensorflow/tfjs';
import type { EngineInfo } from '../../../shared/train/events';
import { ENGINE_PACKAGES } from '../engine-packages';
import { EngineUnavailableError, shortenMessage } from '../engine-unavailable';
import { errorMessage } from '../../../shared/error-message';
import { installedVersion } from '../installed-version';

/**
 * The two libtensorflow engines. Both packages are optional dependencies that
 * often fail to load (no prebuilt addon, no CUDA 11), so this file only
 * imports them, asks the loaded backend what it runs on, and turns failures
 * into a reason plus a fix.
 */
export const NATIVE_PACKAGES = {
  'tensorflow-gpu': ENGINE_PACKAGES['tensorflow-gpu'],
  tensorflow: ENGINE_PACKAGES.tensorflow,
} as const;
export type NativeEngineId = keyof typeof NATIVE_PACKAGES;

/**
 * Both packages register their libtensorflow under this one tfjs backend name
 * (on the same @tensorflow/tfjs 4.22.0 instance), so whichever loads first
 * serves both engines for the rest of the process.
 */
const NATIVE_BACKEND = 'tensorflow';

/** tfjs-node-gpu 4.22.0 downloads libtensorflow 2.9.1, which is built for these. */
const CUDA_FIX =
  'tfjs-node-gpu 4.22.0 runs libtensorflow 2.9.1, built for CUDA 11.2 + cuDNN 8.1: install that ' +
  'runtime (libcudart.so.11.0, libcudnn.so.8) and put it on LD_LIBRARY_PATH (a CUDA 12 driver runs it, ' +
  "CUDA 12 libraries do not replace it), or choose engine 'tensorflow' or 'wasm'";

/** What tfjs-node's NodeJSKernelBackend exposes; declared here because the package may be absent. */
interface NodeKernelBackendFields {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
  binding?: { TF_Version?: string };
}

/**
 * Loads the engine's package (once per process) and returns what to record.
 * Throws EngineUnavailableError with the reason and fix. Leaves the
 * 'tensorflow' backend active when it loads, as the package itself does.
 */
export async function loadNativeEngine(id: NativeEngineId): Promise<Omit<EngineInfo, 'id'>> {
  if (!tf.findBackendFactory(NATIVE_BACKEND)) await importOnce(NATIVE_PACKAGES[id]);
  const backend = tf.findBackend(NATIVE_BACKEND) as NodeKernelBackendFields | null;
  if (!backend) {
    throw new EngineUnavailableError(`${NATIVE_PACKAGES[id]} loaded but registered no '${NATIVE_BACKEND}' backend`);
  }
  const owner = backend.isGPUPackage ? NATIVE_PACKAGES['tensorflow-gpu'] : NATIVE_PACKAGES.tensorflow;
  const libtensorflow = `libtensorflow ${backend.binding?.TF_Version ?? '(unknown version)'}`;
  const device = backend.isUsingGpuDevice ? 'GPU' : 'CPU';

  if (id === 'tensorflow-gpu') {
    if (!backend.isGPUPackage) {
      throw new EngineUnavailableError(
        `${owner} was loaded first in this process and holds the '${NATIVE_BACKEND}' backend`,
        "start a new process and select 'tensorflow-gpu' before 'tensorflow'",
      );
    }
    if (!backend.isUsingGpuDevice) {
      // libtensorflow logs the failed dlopen (e.g. libcudart.so.11.0 on CUDA 12
      // systems) to stderr and quietly runs everything on the CPU.
      throw new EngineUnavailableError(`${libtensorflow} loaded but found no usable GPU and runs on the CPU`, CUDA_FIX);
    }
  }
  const from = owner === NATIVE_PACKAGES[id] ? '' : ` from ${owner}`;
  return {
    backend: NATIVE_BACKEND,
    version: installedVersion(owner) ?? 'unknown',
    detail: `${libtensorflow}${from} on the ${device}`,
  };
}

const imports = new Map<string, Promise<void>>();

/** Imports a package once; a failed import is remembered, since a retry would not run its code again. */
function importOnce(packageName: string): Promise<void> {
  let loading = imports.get(packageName);
  if (!loading) {
    // A variable specifier: the packages are optional, so neither tsc nor a bundler may require them.
    const specifier: string = packageName;
    loading = import(specifier).then(
      () => undefined,
      (error: unknown) => {
        forgetOrphanKernels();
        throw explainImportError(packageName, error);
      },
    );
    imports.set(packageName, loading);
  }
  return loading;
}

/**
 * tfjs-node registers its ~200 kernels before it looks for its addon. When the
 * addon then fails, drop them, or loading the other package would print a
 * "kernel already registered" warning for each.
 */
function forgetOrphanKernels(): void {
  if (tf.findBackendFactory(NATIVE_BACKEND)) return;
  for (const kernel of tf.getKernelsForBackend(NATIVE_BACKEND)) {
    tf.unregisterKernel(kernel.kernelName, NATIVE_BACKEND);
  }
}

/** The real error, shortened, plus what to do about it. */
export function explainImportError(packageName: string, error: unknown): EngineUnavailableError {
  const message = errorMessage(error);
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  const rebuild = `run \`npm rebuild ${packageName}\` (its install script downloads libtensorflow 2.9.1 and the prebuilt addon; add --build-addon-from-source to compile it)`;

  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(packageName)) {
    return packageName === NATIVE_PACKAGES['tensorflow-gpu']
      ? new EngineUnavailableError(
          `${packageName} is not installed: it is an opt-in install, since it runs only with CUDA 11.2`,
          `run \`npm install --no-save ${packageName}@4.22.0\` (docs/engines.md)`,
        )
      : new EngineUnavailableError(
          `${packageName} is not installed: its install downloads libtensorflow, and npm leaves it out when that fails (offline, or no prebuild for this platform)`,
          `run \`npm install\` with the network, or \`npm install ${packageName}@4.22.0\``,
        );
  }
  const addon = /tfjs_binding\.node\) can not be found at path: (\S+\.node)/.exec(message);
  if (addon) return new EngineUnavailableError(`native addon not found: ${addon[1]}`, rebuild);

  const library = /([\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(message);
  if (library) {
    const isCuda = /^lib(cud|cublas|cufft|curand|cusolver|cusparse|nvinfer)/.test(library[1]);
    return new EngineUnavailableError(
      `cannot load ${library[1]}`,
      isCuda ? CUDA_FIX : `reinstall libtensorflow: ${rebuild}`,
    );
  }
  return new EngineUnavailableError(`${packageName} failed to load: ${shortenMessage(message)}`, rebuild);
}
