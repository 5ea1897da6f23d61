import * as tf from '@tensorflow/tfjs';
import type { EngineInfo } from '../../../shared/train/events';

/** tfjs's plain JavaScript kernels: always there, the last row `auto` falls back to. */
export async function loadCpuEngine(): Promise<Omit<EngineInfo, 'id'>> {
  return { backend: 'cpu', version: tf.version['tfjs-backend-cpu'], detail: 'plain JavaScript kernels' };
}
