import * as tf from '@tensorflow/tfjs';
// Registers our custom layer class with tfjs's serialisation, so a saved topology that uses it loads.
import './input-conv2d';

/**
 * A model exactly as a checkpoint saved it (topology, weights, optimizer
 * state), read through tfjs's IOHandler interface: where the bytes live and
 * how they are checked (core/checkpoint) is the caller's business.
 */
export function loadCheckpointModel(checkpoint: tf.io.IOHandler): Promise<tf.LayersModel> {
  return tf.loadLayersModel(checkpoint);
}
