import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Starts tfjs's threaded-SIMD wasm build under Node's worker_threads, which
 * tfjs itself never does: its WASM_HAS_MULTITHREAD_SUPPORT flag is false
 * whenever IS_NODE (tensorflow/tfjs#3830). Forcing the flag is not enough,
 * for three reasons, each answered here with a hook of the Emscripten module
 * rather than a change to tfjs:
 *
 * 1. tfjs hands Emscripten the pthread worker as a `blob:` URL, which Node's
 *    Worker refuses (ERR_WORKER_PATH). Our `locateFile` answers with a
 *    `data:` URL instead, which Node does start: a few lines that give the
 *    worker the CommonJS globals the build expects and then evaluate tfjs's
 *    own worker source (`wasmWorkerContents`), unchanged.
 * 2. Each pthread loads the build's main script by `urlOrBlob`; tfjs passes
 *    a Blob, which the worker cannot read synchronously. We pass the
 *    script's file path (`mainScriptUrlOrBlob`), which it reads with fs.
 * 3. The build sizes its XNNPACK pool as min(asked, logical cores / 2, 8)
 *    (tfjs-backend-wasm/src/cc/backend.cc: "Many x86-64 processors have 2
 *    threads per core"), so a 2-core machine gets 1 thread whatever is asked.
 *    Our `instantiateWasm` reports 2 × the asked count as the core count; the
 *    user's `--threads` (default: every core) is the cap instead.
 *
 * The build pre-starts 8 pthread workers and its pool cannot use more, so
 * THREADED_WASM_MAX_THREADS is the most it can run.
 */

/** Emscripten's pre-started pthread pool size in tfjs 4.22's build (cc/BUILD), and backend.cc's max_num_threads. */
export const THREADED_WASM_MAX_THREADS = 8;

type WasmModule = ConstructorParameters<typeof BackendWasm>[0];

/** The parts of the Emscripten module this file touches beyond tfjs's own typing. */
interface EmscriptenThreads {
  cwrap(name: string, returnType: 'number' | null, argTypes: 'number'[]): (...args: number[]) => number;
  PThread: {
    runningWorkers: { unref(): void }[];
    terminateAllThreads(): void;
  };
}
export type ThreadedWasmModule = WasmModule & EmscriptenThreads;

/** Node's WebAssembly, typed as far as we call it (this project's lib has no DOM types). */
type Imports = Record<string, Record<string, unknown>>;
interface Instantiated {
  instance: unknown;
  module: unknown;
}
const webAssembly = (globalThis as unknown as { WebAssembly: { instantiate(bytes: Uint8Array, imports: Imports): Promise<Instantiated> } })
  .WebAssembly;

interface FactoryConfig {
  locateFile(path: string, prefix: string): string | URL;
  mainScriptUrlOrBlob: string;
  instantiateWasm(imports: Imports, receive: (instance: unknown, module: unknown) => void): object;
  onAbort(reason: unknown): void;
}

const require = createRequire(import.meta.url);

/** The build's three files, inside the installed @tensorflow/tfjs-backend-wasm. */
function buildFiles(): { mainScript: string; binary: string; workerSource: string } {
  const outDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  return {
    mainScript: join(outDir, 'tfjs-backend-wasm-threaded-simd.js'),
    binary: join(outDir, 'tfjs-backend-wasm-threaded-simd.wasm'),
    workerSource: join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js'),
  };
}

/**
 * The pthread worker as a `data:` URL (an ES module to Node). tfjs's worker
 * source is a template literal whose `\n` escapes became real newlines inside
 * its string literals; tfjs escapes them back before making its Blob, and so
 * do we.
 */
function pthreadWorkerUrl(mainScript: string, workerSource: string): URL {
  const contents = (require(workerSource) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  const source = [
    `import { createRequire } from 'node:module';`,
    // The worker source and the build's script run in global scope (indirect eval), where
    // CommonJS's require, __filename and __dirname do not exist unless put there.
    `globalThis.require = createRequire(${JSON.stringify(mainScript)});`,
    `globalThis.__filename = ${JSON.stringify(mainScript)};`,
    `globalThis.__dirname = ${JSON.stringify(dirname(mainScript))};`,
    `(0, eval)(${JSON.stringify(contents)});`,
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * Instantiates the threaded build with an XNNPACK pool of `threads` threads
 * (1 to THREADED_WASM_MAX_THREADS) and returns the module for BackendWasm.
 * The pool's workers are unreferenced, so they never keep a process alive.
 */
export async function instantiateThreadedWasm(threads: number): Promise<ThreadedWasmModule> {
  if (!Number.isInteger(threads) || threads < 1 || threads > THREADED_WASM_MAX_THREADS) {
    throw new RangeError(`threads must be an integer from 1 to ${THREADED_WASM_MAX_THREADS}, got ${threads}`);
  }
  const { mainScript, binary, workerSource } = buildFiles();
  const factory = require(mainScript) as (config: FactoryConfig) => Promise<ThreadedWasmModule>;
  const workerUrl = pthreadWorkerUrl(mainScript, workerSource);
  // A failed instantiation never calls `receive`, so the factory's promise would wait forever.
  let fail: (reason: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const module = await Promise.race([
    factory({
      locateFile: (path, prefix) => (path.endsWith('.worker.js') ? workerUrl : path.endsWith('.wasm') ? binary : prefix + path),
      mainScriptUrlOrBlob: mainScript,
      instantiateWasm(imports, receive) {
        const env = { ...imports['env'], emscripten_num_logical_cores: () => 2 * threads };
        webAssembly.instantiate(readFileSync(binary), { ...imports, env }).then(
          ({ instance, module: compiled }) => receive(instance, compiled),
          fail,
        );
        return {};
      },
      onAbort: (reason) => fail(new Error(`the threaded wasm build aborted: ${String(reason)}`)),
    }),
    failed,
  ]);
  // The same C entry points tfjs's init() wraps (backend_wasm.ts), which BackendWasm calls.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  } as WasmModule['tfjs'];
  return module;
}

/**
 * Emscripten references a worker while it runs a pthread, and XNNPACK's pool
 * threads run for the module's life: unreferenced, they let a CLI or test
 * process end when its work is done. Call after BackendWasm has made the pool.
 */
export function unrefPoolThreads(module: ThreadedWasmModule): void {
  for (const worker of module.PThread.runningWorkers) worker.unref();
}
