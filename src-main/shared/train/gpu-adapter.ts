import { z } from 'zod';

/**
 * The WebGPU adapter an engine runs on, as Dawn reports it: shown by
 * `engines` and the GUI's engine table, recorded with every run, and read by
 * the memory check (the limits). WebGPU does not report the GPU's memory, so
 * the only sizes known are the largest buffer and binding the adapter allows.
 */
export const gpuAdapterSchema = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  /** A CPU implementation (SwiftShader, lavapipe, llvmpipe, WARP): `auto` never picks it. */
  software: z.boolean(),
  limits: z.object({
    maxBufferSize: z.number(),
    maxStorageBufferBindingSize: z.number(),
    maxComputeWorkgroupStorageSize: z.number(),
    maxComputeInvocationsPerWorkgroup: z.number(),
  }),
});
export type GpuAdapter = z.infer<typeof gpuAdapterSchema>;

/** "nvidia ampere (NVIDIA GeForce RTX 3060)", or "google swiftshader (SwiftShader driver 5.0.0), software adapter". */
export function describeGpuAdapter(adapter: GpuAdapter): string {
  const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const about = adapter.description || adapter.device;
  return `${name}${about ? ` (${about})` : ''}${adapter.software ? ', software adapter' : ''}`;
}
