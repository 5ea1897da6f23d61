import { z } from 'zod';
import { trainingEventSchema } from '../../../shared/train/events';
import { fromWireJson } from '../../../api/wire-json';

/**
 * One line of the trainer script's stdout (docs/pytorch-protocol.md, "Events"):
 * a training event of the same schema every engine emits, a checkpoint file
 * written whole, an epoch's confusion matrix, or a warning for the user.
 */
export const trainerLineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: trainingEventSchema }),
  z.object({
    type: z.literal('checkpoint'),
    epoch: z.number().int().min(0),
    path: z.string().min(1),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  z.object({
    type: z.literal('evaluation'),
    epoch: z.number().int().min(0),
    confusion: z.array(z.array(z.number().int().min(0)).max(1000)).max(1000),
  }),
  z.object({ type: z.literal('log'), message: z.string().max(4000) }),
]);
export type TrainerLine = z.infer<typeof trainerLineSchema>;

/** A line the runner refuses, named in the run's error. */
export class TrainerLineError extends Error {
  override name = 'TrainerLineError';
}

/** Longest line the runner reads: a start event with a large config is a few KB; a 1,000-class confusion matrix under 4 MB. */
export const MAX_LINE_CHARS = 4_000_000;

/** Parses one stdout line, or throws TrainerLineError naming the line and what is wrong with it. */
export function parseTrainerLine(line: string): TrainerLine {
  const shown = JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
  if (line.length > MAX_LINE_CHARS) throw new TrainerLineError(`the pytorch trainer wrote a line of ${line.length} characters, over ${MAX_LINE_CHARS}: ${shown}`);
  let value: unknown;
  try {
    value = fromWireJson(line);
  } catch {
    throw new TrainerLineError(`the pytorch trainer wrote a line that is not JSON: ${shown}`);
  }
  const parsed = trainerLineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new TrainerLineError(`the pytorch trainer wrote a line that is not a protocol message${where} (${issue?.message ?? 'invalid'}): ${shown}`);
  }
  return parsed.data;
}
