import type { ApiHandlers } from '../dispatch';
import { datasetHandlers } from './dataset';
import { engineHandlers } from './engines';
import { exampleHandlers } from './examples';
import { modelHandlers } from './models';
import { replayHandlers } from './replay';
import { runRecordHandlers } from './run-records';
import { runHandlers } from './runs';
import type { ServiceParts } from './service-parts';
import { sweepHandlers } from './sweep';
import { workerHandlers } from './workers';
import { queueSettingsHandlers } from './queue-settings';

/** Every API method's handler, one file per area in the order of methods.ts; the type refuses a method left out. */
export function apiHandlers(parts: ServiceParts): ApiHandlers {
  return {
    ...engineHandlers(parts),
    ...datasetHandlers(parts),
    ...modelHandlers(),
    ...runHandlers(parts),
    ...workerHandlers(parts),
    ...queueSettingsHandlers(parts),
    ...runRecordHandlers(parts),
    ...sweepHandlers(parts),
    ...exampleHandlers(parts),
    ...replayHandlers(parts),
  };
}
