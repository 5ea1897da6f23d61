import { z } from 'zod';
import {
  batchEventSchema,
  doneEventSchema,
  epochEventSchema,
  errorEventSchema,
  startEventSchema,
  type TrainingEvent,
} from '../shared/train/events';
import { metricNumber } from './metric-number';
import { layerEpochEventSchema, layerStepEventSchema } from '../shared/train/layer-stats';

/**
 * The trainer's events as the API carries them: core's schemas, except that
 * measured values may be NaN (a diverged batch, a run imported with gaps) and
 * must still reach the charts rather than fail validation.
 */
export const wireTrainingEventSchema: z.ZodType<TrainingEvent> = z.discriminatedUnion('type', [
  startEventSchema,
  batchEventSchema.extend({ loss: metricNumber, accuracy: metricNumber, imagesPerSec: metricNumber }),
  epochEventSchema.extend({
    loss: metricNumber,
    trainAcc: metricNumber,
    testAcc: metricNumber,
    seconds: metricNumber,
    imagesPerSec: metricNumber,
  }),
  doneEventSchema.extend({ seconds: metricNumber }),
  errorEventSchema,
  // Their measured fields take NaN and ±Infinity already (an exploding gradient).
  layerStepEventSchema,
  layerEpochEventSchema,
]);
