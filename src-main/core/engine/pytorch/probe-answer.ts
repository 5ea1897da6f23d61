import { z } from 'zod';

/** The oldest torch the trainer script is written for (docs/pytorch-protocol.md). */
export const MINIMUM_TORCH = '1.13';

/** What `vgg_trainer.py --probe` prints: one JSON line (docs/pytorch-protocol.md). It crosses a process boundary, so it is parsed. */
export const probeAnswerSchema = z.object({
  torch: z.string().min(1).max(100),
  numpy: z.string().max(100).optional(),
  device: z.enum(['cuda', 'mps', 'xpu', 'cpu']),
  deviceName: z.string().max(300).optional(),
  deviceMemoryBytes: z.number().nonnegative().optional(),
  devices: z.array(z.enum(['cuda', 'mps', 'xpu', 'cpu'])).max(8).optional(),
  python: z.string().max(100).optional(),
});
export type ProbeAnswer = z.infer<typeof probeAnswerSchema>;

/** Whether torch `version` ("2.5.1+cu121", "1.13.0a0+git") is at least MINIMUM_TORCH. */
export function torchIsRecentEnough(version: string): boolean {
  const [major, minor] = version.split(/[.+]/).map((part) => Number.parseInt(part, 10));
  const [wantMajor, wantMinor] = MINIMUM_TORCH.split('.').map(Number) as [number, number];
  if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) return false;
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}
