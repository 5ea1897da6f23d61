import type { RunStore } from '../../core/store/run-store';
import type { DatasetManager } from '../dataset-manager';
import type { EngineProbeCache } from '../engine-probe-cache';
import type { EngineSpeedCache } from '../engine-speed-cache';
import type { ExampleRuns } from '../example-runs';
import type { EventHub } from '../event-hub';
import type { PredictionCache } from '../prediction-cache';
import type { ReplaySessions } from '../replay-sessions';
import type { RunQueue } from '../run-queue';
import type { QueueLinkHandle } from '../queue-runs';
import type { QueueSettingsStore, SavedQueue } from '../queue-settings';

/** What the API handlers work with: the service's parts, owned and closed by ExperimentService. */
export interface ServiceParts {
  store: RunStore;
  hub: EventHub;
  queue: RunQueue;
  dataset: DatasetManager;
  replays: ReplaySessions;
  misclassified: PredictionCache;
  engines: EngineProbeCache;
  speeds: EngineSpeedCache;
  examples: ExampleRuns;
  /** The Redis queue this service records runs from (`serve --queue`); absent without one. */
  queueLink?: QueueLinkHandle;
  /** The desktop app's saved queue (queue-settings.ts); absent in serve and the CLI. */
  queueSettings?: QueueSettingsStore;
  /** The saved queue the service opened with: a later save applies at the next start, unless the service can relink. */
  queueSettingsAtOpen?: SavedQueue;
  /** Closes the queue link and opens one to `url` (none: no queue): the desktop app's Save takes effect at once. */
  relinkQueue?: (url: string | undefined) => Promise<void>;
  /** The import worker's entry, for bundles; from source its .ts sibling (import-off-thread.ts). */
  importWorkerPath?: string | URL;
}
