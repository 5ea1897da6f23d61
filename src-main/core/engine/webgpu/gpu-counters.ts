/**
 * Counts what the webgpu backend asks of the GPU, read from the WebGPU calls
 * themselves (Dawn's prototypes), not inferred from our loop: queue submits,
 * compute dispatches, uniform writes, tensor uploads, pipelines compiled and
 * buffer reads back. A read is *blocking* when no GPU work was submitted while
 * it was in flight: the queue then ran dry behind it, so the GPU idled while
 * the CPU waited for the value. A read started one step behind, with the next
 * step already submitted, is not.
 */

export interface GpuCounts {
  submits: number;
  dispatches: number;
  /** queue.writeBuffer calls: tfjs writes each dispatch's uniforms (shapes, strides) this way. */
  uniformWrites: number;
  /** Tensors whose values moved from the CPU to a GPU buffer (tfjs's uploadToGPU with values to move). */
  uploads: number;
  uploadBytes: number;
  pipelinesCompiled: number;
  /** Buffers mapped for reading (mapAsync) that have resolved. */
  reads: number;
  /** Of those, the ones during which nothing new was submitted. */
  blockingReads: number;
}

const counts: GpuCounts = {
  submits: 0,
  dispatches: 0,
  uniformWrites: 0,
  uploads: 0,
  uploadBytes: 0,
  pipelinesCompiled: 0,
  reads: 0,
  blockingReads: 0,
};

let installed = false;
const countedBackends = new WeakSet<object>();

type Method = (...args: never[]) => unknown;

/** Replaces `prototype[name]` by `around`, which calls the original itself; a no-op where the method is absent. */
function wrap(prototype: Record<string, unknown> | undefined, name: string, around: (original: Method, self: unknown, args: never[]) => unknown): void {
  const original = prototype?.[name];
  if (typeof original !== 'function' || !prototype) return;
  prototype[name] = function (this: unknown, ...args: never[]): unknown {
    return around(original as Method, this, args);
  };
}

function prototypeOf(global: string): Record<string, unknown> | undefined {
  const constructor = (globalThis as Record<string, unknown>)[global] as { prototype?: Record<string, unknown> } | undefined;
  return constructor?.prototype;
}

/**
 * Installs the counters on the WebGPU classes Dawn's binding put on
 * globalThis (webgpu/adapter.ts installs them). Returns false when there are
 * none, i.e. the webgpu engine has not loaded. Idempotent.
 */
export function installGpuCounters(): boolean {
  if (installed) return true;
  const device = prototypeOf('GPUDevice');
  const queue = prototypeOf('GPUQueue');
  const buffer = prototypeOf('GPUBuffer');
  const pass = prototypeOf('GPUComputePassEncoder');
  if (!device || !queue || !buffer || !pass) return false;
  wrap(queue, 'submit', (original, self, args) => {
    counts.submits++;
    return original.apply(self, args);
  });
  wrap(queue, 'writeBuffer', (original, self, args) => {
    counts.uniformWrites++;
    return original.apply(self, args);
  });
  wrap(pass, 'dispatchWorkgroups', (original, self, args) => {
    counts.dispatches++;
    return original.apply(self, args);
  });
  for (const name of ['createComputePipeline', 'createComputePipelineAsync']) {
    wrap(device, name, (original, self, args) => {
      counts.pipelinesCompiled++;
      return original.apply(self, args);
    });
  }
  wrap(buffer, 'mapAsync', (original, self, args) => {
    const submitsAtStart = counts.submits;
    const mapped = original.apply(self, args) as Promise<unknown>;
    return mapped.then((value) => {
      counts.reads++;
      if (counts.submits === submitsAtStart) counts.blockingReads++;
      return value;
    });
  });
  installed = true;
  return true;
}

/** The tfjs webgpu backend's upload of a tensor's values, the one place CPU data becomes a GPU buffer. */
interface UploadingBackend {
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): { resource?: unknown; values?: { byteLength?: number } | null } | undefined };
}

function isUploadingBackend(backend: unknown): backend is UploadingBackend {
  const candidate = backend as Partial<UploadingBackend> | null;
  return typeof candidate?.uploadToGPU === 'function' && typeof candidate.tensorMap?.get === 'function';
}

/**
 * Counts tensor uploads on this tfjs webgpu backend (an instance method, so
 * it is wrapped per backend). Returns false for any other backend.
 */
export function countBackendUploads(backend: unknown): boolean {
  if (!isUploadingBackend(backend)) return false;
  if (countedBackends.has(backend)) return true;
  const original = backend.uploadToGPU.bind(backend);
  backend.uploadToGPU = (dataId: object): void => {
    const data = backend.tensorMap.get(dataId);
    if (data && data.resource == null && data.values != null) {
      counts.uploads++;
      counts.uploadBytes += data.values.byteLength ?? 0;
    }
    original(dataId);
  };
  countedBackends.add(backend);
  return true;
}

/** A copy of the counts so far. */
export function gpuCounts(): GpuCounts {
  return { ...counts };
}

/** What happened between two snapshots. */
export function countsSince(before: GpuCounts, after: GpuCounts = gpuCounts()): GpuCounts {
  const delta = { ...after };
  for (const key of Object.keys(delta) as (keyof GpuCounts)[]) delta[key] = after[key] - before[key];
  return delta;
}
