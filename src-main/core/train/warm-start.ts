import type * as tf from '@tensorflow/tfjs';
import { checkpointHandler } from '../checkpoint/checkpoint-io';
import { loadCheckpointModel } from '../models/load-checkpoint-model';

export interface WarmStartLayers {
  /** Layers whose weights were copied from the source, in the target's order. */
  copied: string[];
  /** Layers with weights that kept their fresh initialisation: absent from the source, or shaped differently. */
  fresh: string[];
}

/**
 * The VGG paper's warm start (§3.1: D and E began from a trained A): every
 * layer of `target` that has weights and whose name and weight shapes equal a
 * layer of `source` takes that layer's weights. Layers are matched by name,
 * not position, because a deeper VGG inserts convolutions inside the blocks;
 * the builders name them `block<n>_conv<i>`, `fc1`, ... in every process
 * (tfjs renames only variables, never a layer given a name).
 */
export function copyMatchingLayers(target: tf.LayersModel, source: tf.LayersModel): WarmStartLayers {
  const copied: string[] = [];
  const fresh: string[] = [];
  for (const layer of target.layers) {
    const ours = layer.getWeights();
    if (ours.length === 0) continue;
    const theirs = source.layers.find((l) => l.name === layer.name)?.getWeights();
    const matches = theirs !== undefined && theirs.length === ours.length && ours.every((w, i) => sameShape(w.shape, theirs[i]!.shape));
    if (matches) {
      layer.setWeights(theirs);
      copied.push(layer.name);
    } else {
      fresh.push(layer.name);
    }
  }
  return { copied, fresh };
}

/** Loads the checkpoint at `path` (checked against its recorded hash) and copies its matching layers into `model`. */
export async function warmStartFrom(model: tf.LayersModel, path: string, expectedSha256?: string): Promise<WarmStartLayers> {
  const source = await loadCheckpointModel(checkpointHandler(path, { expectedSha256 }));
  try {
    return copyMatchingLayers(model, source);
  } finally {
    source.dispose();
  }
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
