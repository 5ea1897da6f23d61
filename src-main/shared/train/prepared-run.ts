import type { LayerSpec } from '../models/layer-spec';
import type { RunConfig } from './run-config';

/** Only service/prepare-run.ts makes a PreparedRun; the mark keeps a bare config from passing for one. */
declare const preparedMark: unique symbol;

/**
 * A run request after service/prepare-run.ts: the config made whole from the
 * preset's recipe and checked (the network fits the image), the layers it
 * builds, and the memory the run may plan for. Whatever queues a run (the
 * local queue, a Redis queue) takes this type, so no door skips the checks.
 */
export interface PreparedRun {
  readonly config: RunConfig;
  readonly architecture: LayerSpec[];
  /** `--memory-limit` as the request gave it (checked); absent: the machine's default. */
  readonly memoryLimit?: string;
  readonly [preparedMark]: true;
}
