import * as tf from '@tensorflow/tfjs';
import { checkpointHandler } from '../store/checkpoint-io';
// Registers our custom layer class with tfjs's serialisation, so a saved topology that uses it loads.
import './input-conv2d';

/** A model exactly as a checkpoint file saved it (topology, weights, optimizer state). */
export function loadCheckpointModel(path: string, expectedSha256?: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(checkpointHandler(path, { expectedSha256 }));
}
