import { z } from 'zod';

/** Messages between the service and the prediction worker; both sides check what they receive. */
export const predictionRequestSchema = z.object({
  id: z.number().int(),
  checkpointPath: z.string().min(1),
  /** The checkpoint's recorded SHA-256: a file changed since is refused, not silently used. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  resize: z.number().int().min(1),
  /** Predict the first N test images, as the run's evaluation did. */
  testLimit: z.number().int().min(1).optional(),
  datasetDir: z.string().min(1),
});
export type PredictionRequest = z.infer<typeof predictionRequestSchema>;

export const predictionReplySchema = z.discriminatedUnion('ok', [
  /** predicted[i] is the class predicted for test image i. */
  z.object({ id: z.number().int(), ok: z.literal(true), predicted: z.instanceof(Uint8Array) }),
  z.object({ id: z.number().int(), ok: z.literal(false), message: z.string() }),
]);
export type PredictionReply = z.infer<typeof predictionReplySchema>;

/** Per-image test predictions of a saved model (the prediction worker, or a stand-in in tests). */
export interface PredictionSource {
  predict(request: Omit<PredictionRequest, 'id'>): Promise<Uint8Array>;
  close?(): Promise<void>;
}
