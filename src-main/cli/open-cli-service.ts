import { appDataDir, defaultDatabasePath } from '../core/paths';
import type { ExperimentService, ExperimentServiceOptions } from '../service/experiment-service';
import { errorMessage } from '../shared/error-message';

/**
 * The service as the training commands (`train`, `plans run`) open it: the
 * given database or the app's, the app's data folder, and background errors
 * printed as warnings rather than lost. Loaded on demand: it pulls in tfjs.
 */
export async function openCliService(options: {
  db?: string;
  checkpoints: NonNullable<ExperimentServiceOptions['checkpointPolicy']>;
}): Promise<ExperimentService> {
  const { ExperimentService } = await import('../service/experiment-service');
  return ExperimentService.open({
    databasePath: options.db ?? defaultDatabasePath(),
    dataDir: appDataDir(),
    checkpointPolicy: options.checkpoints,
    onError: (error) => process.stderr.write(`warning: ${errorMessage(error)}\n`),
  });
}
