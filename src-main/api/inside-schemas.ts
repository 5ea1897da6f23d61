import { z } from 'zod';
import { FASHION_MNIST_SIDE } from '../shared/data/fashion-mnist-facts';

/**
 * `runs.inside`: a finished run's network looked into with one image, either
 * a test image (by index; absent: the first the run got wrong) or the user's
 * own, decoded in the renderer and sent as Fashion-MNIST's 28×28 grey levels.
 * Sizes are checked here, never trusted from the file.
 */
const int = z.number().int();
const grey = int.min(0).max(255);
const PIXELS = FASHION_MNIST_SIDE * FASHION_MNIST_SIDE;

export const insideRequestSchema = z
  .object({
    runId: z.string().min(1).max(64),
    testIndex: int.min(0).max(9_999).optional(),
    /** The user's image as the network sees it: 28 × 28 grey levels, white on black, row by row. */
    pixels: z
      .array(grey)
      .length(PIXELS, `pixels: expected ${PIXELS} grey levels (a 28×28 image); shrink the image to 28×28 first`)
      .optional(),
  })
  .strict()
  .refine((request) => request.testIndex === undefined || request.pixels === undefined, {
    message: 'give a test image (testIndex) or your own (pixels), not both',
    path: ['pixels'],
  });

const pictureSchema = z.object({ side: int.min(1).max(512), pixels: z.array(grey) });

export const insideAnswerSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    classes: z.array(z.string()),
    /** The image looked at: a test image (its index and label), or the user's (neither). */
    image: z.object({ index: int.min(0).optional(), label: int.min(0).optional(), picture: pictureSchema }),
    /** The five likeliest classes, likeliest first. */
    top: z.array(z.object({ classIndex: int.min(0), probability: z.number() })),
    filters: z.object({ layer: z.string(), pictures: z.array(pictureSchema) }),
    blocks: z.array(
      z.object({
        layer: z.string(),
        channels: z.array(z.object({ channel: int.min(0), mean: z.number(), picture: pictureSchema })),
      }),
    ),
  }),
  z.object({ available: z.literal(false), reason: z.string() }),
]);
export type InsideAnswer = z.infer<typeof insideAnswerSchema>;
