import { existsSync } from 'node:fs';
import { loadFashionMnist, SYSTEM_FASHION_MNIST_DIR, type FashionMnist } from '../../src-main/core/data/fashion-mnist';

/** Tests train on the real Fashion-MNIST that Debian's dataset-fashion-mnist installs (.ci/run installs it). */
export const REAL_DATA_DIR = SYSTEM_FASHION_MNIST_DIR;

let cached: Promise<FashionMnist> | undefined;
export function realFashionMnist(): Promise<FashionMnist> {
  if (!existsSync(REAL_DATA_DIR)) {
    throw new Error(`${REAL_DATA_DIR} is missing: apt-get install dataset-fashion-mnist (.ci/run does)`);
  }
  cached ??= loadFashionMnist(REAL_DATA_DIR);
  return cached;
}
