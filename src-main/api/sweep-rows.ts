import { z } from 'zod';
import { RUN_STATUSES } from '../shared/runs/run-entities';
import type { SweepRow } from '../shared/runs/sweep-row';

const count = z.number().nullable();

/** A sweep row on the wire (shared/runs/sweep-row.ts): checked on both sides like every reply. */
export const sweepRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(RUN_STATUSES),
  model: z.string(),
  depth: z.number().int().nullable(),
  resize: z.number(),
  lr: z.number(),
  batchSize: z.number(),
  widthRatio: z.number(),
  epochs: z.number(),
  engine: z.string(),
  seed: z.number(),
  baseline: z.boolean(),
  params: count,
  macs: count,
  secondsPerEpoch: count,
  finalTestAcc: count,
  bestTestAcc: count,
  createdAt: z.number(),
});

// The schema and the store's entity must say the same thing: a field added to one and not the other fails here.
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesEntity: SameShape<z.infer<typeof sweepRowSchema>, SweepRow> = true;
void schemaMatchesEntity;
