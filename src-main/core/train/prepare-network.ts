import type * as tf from '@tensorflow/tfjs';
import type { LayerSpec } from '../../shared/models/layer-spec';
import type { RunConfig } from '../../shared/train/run-config';
import { resolveNetwork } from '../../shared/models/presets';
import { summarizeNetwork, type NetworkSummary } from '../../shared/models/summary';
import { buildModel } from '../models/build';

export interface PreparedNetwork {
  name: string;
  summary: NetworkSummary;
  model: tf.LayersModel;
  /** The network as data, from which data-parallel replicas build their copies. */
  layers: readonly LayerSpec[];
}

/**
 * Resolves a run's network and checks it against the input size before any
 * weights exist, so a VGG on 28×28 images fails with advice, not a shape error
 * deep inside tfjs.
 */
export function prepareNetwork(config: RunConfig, classes: number): PreparedNetwork {
  const network = resolveNetwork(config, classes);
  const inputShape = [config.resize, config.resize, 1] as const;
  const summary = summarizeNetwork(network.layers, inputShape, { name: network.name });
  const model = buildModel(network.layers, inputShape, { seed: config.seed });
  return { name: network.name, summary, model, layers: network.layers };
}
