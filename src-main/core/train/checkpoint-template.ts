import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../shared/train/run-config';
import { NUM_CLASSES } from '../../shared/data/fashion-mnist-facts';
import { prepareNetwork } from './prepare-network';

/** The tfjs backend the template is built on: always registered, and it leaves an engine's own backend alone. */
const TEMPLATE_BACKEND = 'cpu';

/**
 * What a checkpoint of this run's network holds besides its numbers: the tfjs
 * artifacts (modelTopology, weightSpecs with the optimizer's momentum slots,
 * training config, format) of the same network, saved into memory without
 * its weight data. An engine that trains outside tfjs writes its numbers under
 * this header, so its checkpoints read as any other run's (VGGWCKP1, tfjs layout).
 */
export async function checkpointTemplate(config: RunConfig): Promise<Record<string, unknown>> {
  const before = tf.getBackend();
  await tf.setBackend(TEMPLATE_BACKEND);
  const { model } = prepareNetwork(config, NUM_CLASSES);
  try {
    const optimizer = config.momentum > 0 ? tf.train.momentum(config.lr, config.momentum) : tf.train.sgd(config.lr);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    // Momentum's slots exist only once a step has run; a zero gradient makes them (zeros) and leaves the weights as they are.
    if (config.momentum > 0) {
      tf.tidy(() => optimizer.applyGradients(model.trainableWeights.map((w) => ({ name: w.name, tensor: tf.zerosLike(w.read()) }))));
    }
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    if (!artifacts) throw new Error('model.save gave no artifacts for the checkpoint template');
    const { weightData: _data, getWeightStream: _stream, ...header } = artifacts;
    return header as Record<string, unknown>;
  } finally {
    model.dispose();
    if (before && before !== TEMPLATE_BACKEND) await tf.setBackend(before);
  }
}
