import { z } from 'zod';

/** One import for import-worker.entry.ts: the file's text and the database (and checkpoint folder) to write it into. */
export const importRequestSchema = z.object({
  databasePath: z.string().min(1),
  checkpointsDir: z.string().min(1),
  content: z.string(),
});
export type ImportRequest = z.infer<typeof importRequestSchema>;

export const importReplySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    runs: z.array(z.object({ id: z.string(), name: z.string(), withoutWeights: z.boolean() })),
  }),
  /** `refused`: the file was at fault (an ImportError); otherwise our side failed. */
  z.object({ ok: z.literal(false), refused: z.boolean(), message: z.string() }),
]);
export type ImportReply = z.infer<typeof importReplySchema>;
