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

/** Look inside the model with one 28×28 image (0..255, white on black): filters, feature maps, probabilities. */
export const insideWorkerRequestSchema = z.object({
  id: z.number().int(),
  kind: z.literal('inside'),
  checkpointPath: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  resize: z.number().int().min(1),
  pixels: z.instanceof(Uint8Array).refine((p) => p.length === 28 * 28, 'a 28×28 image'),
});
export type InsideWorkerRequest = z.infer<typeof insideWorkerRequestSchema>;

const pictureSchema = z.object({ side: z.number().int().min(1), pixels: z.array(z.number().int().min(0).max(255)) });
export const insideViewSchema = z.object({
  filters: z.object({ layer: z.string(), pictures: z.array(pictureSchema) }),
  blocks: z.array(
    z.object({
      layer: z.string(),
      channels: z.array(z.object({ channel: z.number().int().min(0), mean: z.number(), picture: pictureSchema })),
    }),
  ),
  probabilities: z.array(z.number()),
});

export const predictionReplySchema = z.union([
  /** predicted[i] is the class predicted for test image i. */
  z.object({ id: z.number().int(), ok: z.literal(true), predicted: z.instanceof(Uint8Array) }),
  z.object({ id: z.number().int(), ok: z.literal(true), inside: insideViewSchema }),
  z.object({ id: z.number().int(), ok: z.literal(false), message: z.string() }),
]);
export type PredictionReply = z.infer<typeof predictionReplySchema>;
export type InsideView = z.infer<typeof insideViewSchema>;

/** Per-image test predictions of a saved model (the prediction worker, or a stand-in in tests). */
export interface PredictionSource {
  predict(request: Omit<PredictionRequest, 'id'>): Promise<Uint8Array>;
  /** One image through the saved model (runs.inside); absent in stand-ins that only predict. */
  inside?(request: Omit<InsideWorkerRequest, 'id' | 'kind'>): Promise<InsideView>;
  close?(): Promise<void>;
}
