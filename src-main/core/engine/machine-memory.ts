import { formatBytes } from '../../shared/format';
import type { EngineMemory } from './engine-row';

/**
 * The memory rule of the engines whose tensors live outside the JS heap
 * (typed arrays, libtensorflow's allocator): cpu and native TensorFlow. The
 * limit is the machine's available memory now (`os.freemem()`, MemAvailable
 * on Linux), not a fixed number: a run on a 64 GB machine may use it, and a
 * run beyond it would swap the machine to a halt rather than fail cleanly.
 * Measured at the check, just before the run starts, when it is what the run will get.
 */
export function machineMemory(engineName: string, availableBytes: number): EngineMemory {
  return { bytes: availableBytes, description: `this machine has ${formatBytes(availableBytes)} free for the ${engineName} engine` };
}
