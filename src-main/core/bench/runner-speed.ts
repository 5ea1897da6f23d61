import { appDataDir } from '../paths';
import { fashionMnistDataFiles, findFashionMnistFiles, locateFashionMnist } from '../data/fashion-mnist';
import type { EngineRow } from '../engine/engine-row';
import { detachedRunContext } from '../engine/detached-run-context';
import { errorMessage } from '../../shared/error-message';
import type { EngineInfo, TrainingEvent } from '../../shared/train/events';
import type { RunConfig } from '../../shared/train/run-config';

/** Steps left out of the timing: the first ones allocate, and on a GPU tune kernels (cudnn.benchmark). */
const WARM_UP_STEPS = 3;

/**
 * Training speed of an engine that runs its runs itself (EngineRow.run), on
 * the same reference as the tfjs engines: a bench job of `steps` steps through
 * its own runner, timed from its batch events after the warm-up. It reads the
 * real training set (the runner reads files, not tensors), so Fashion-MNIST
 * must be where training would find it.
 */
export async function measureRunnerSpeed(row: EngineRow, engine: EngineInfo, config: RunConfig, steps: number): Promise<number> {
  if (!row.run) throw new Error(`the ${row.id} engine has no runner of its own`);
  const located = locateFashionMnist({ dataDir: appDataDir() });
  if (located.kind !== 'found') throw new Error(`measuring the ${row.id} engine reads Fashion-MNIST, which is not here yet: run \`vgg-workbench data\` first`);
  const { paths, missing } = findFashionMnistFiles(located.dir);
  const data = fashionMnistDataFiles(paths);
  if (!data) throw new Error(`measuring the ${row.id} engine reads Fashion-MNIST, and ${located.dir} lacks ${missing.join(', ')}`);
  const batches: Extract<TrainingEvent, { type: 'batch' }>[] = [];
  let failure: string | undefined;
  const result = await row.run(
    detachedRunContext({
      runId: 'speed',
      config,
      engine,
      data,
      emit: (event) => {
        if (event.type === 'batch') batches.push(event);
        if (event.type === 'error') failure = event.message;
      },
      bench: { steps: steps + WARM_UP_STEPS },
    }),
  );
  if (result.status !== 'completed') throw new Error(`the ${row.id} engine's speed run ${result.status}: ${failure ?? 'no reason given'}`);
  const timed = batches.slice(WARM_UP_STEPS);
  const first = timed[0];
  const last = timed.at(-1);
  if (!first || !last || last === first) throw new Error(`the ${row.id} engine's speed run reported ${batches.length} steps, too few to time`);
  const seconds = (last.time - first.time) / 1000;
  if (!(seconds > 0)) throw new Error(`the ${row.id} engine's speed run took no measurable time: ${errorMessage(seconds)}`);
  return ((timed.length - 1) * config.batchSize) / seconds;
}
