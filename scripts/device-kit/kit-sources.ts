import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_FASHION_MNIST_DIR } from '../../src-main/core/data/fashion-mnist';

/** Where the builder takes each part of the kit from, on the machine that builds it. */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const require = createRequire(import.meta.url);

/** The npm package `webgpu` (Dawn's Node binding): its index.js and linux-x64 dawn.node. */
export function dawnPackage(): { dir: string; version: string; index: string; binary: string } {
  let manifest: string;
  try {
    manifest = require.resolve('webgpu/package.json');
  } catch {
    throw new Error('the npm package webgpu (Dawn) is not installed: npm install webgpu@0.6.2');
  }
  const dir = dirname(manifest);
  const binary = join(dir, 'dist', 'linux-x64', 'dawn.node');
  if (!existsSync(binary)) throw new Error(`${binary} is missing: reinstall webgpu@0.6.2, whose package carries linux-x64`);
  return { dir, version: (require(manifest) as { version: string }).version, index: join(dir, 'index.js'), binary };
}

/** The yardstick: the repository's bench/pytorch_reference.py (issue 22). */
export function yardstickScript(): string {
  const path = join(REPO_ROOT, 'bench', 'pytorch_reference.py');
  if (!existsSync(path)) throw new Error(`the PyTorch yardstick ${path} is missing`);
  return path;
}

/** The pytorch engine's trainer script, shipped in resources/ (docs/pytorch-protocol.md). */
export function trainerScript(): string {
  const path = join(REPO_ROOT, 'resources', 'pytorch', 'vgg_trainer.py');
  if (!existsSync(path)) throw new Error(`the pytorch trainer script ${path} is missing`);
  return path;
}

/** The Fashion-MNIST training set's two files, gzipped. */
export function trainSetFiles(dir = SYSTEM_FASHION_MNIST_DIR): { images: string; labels: string } {
  const images = join(dir, 'train-images-idx3-ubyte.gz');
  const labels = join(dir, 'train-labels-idx1-ubyte.gz');
  if (!existsSync(images) || !existsSync(labels)) {
    throw new Error(`the Fashion-MNIST training set (train-*-ubyte.gz) is not in ${dir}: apt-get install dataset-fashion-mnist`);
  }
  return { images, labels };
}

/** The Fashion-MNIST test set's two files (gzipped as Debian's dataset-fashion-mnist ships them). */
export function testSetFiles(dir = SYSTEM_FASHION_MNIST_DIR): { images: string; labels: string } {
  const images = join(dir, 't10k-images-idx3-ubyte.gz');
  const labels = join(dir, 't10k-labels-idx1-ubyte.gz');
  if (!existsSync(images) || !existsSync(labels)) {
    throw new Error(`the Fashion-MNIST test set (t10k-*-ubyte.gz) is not in ${dir}: apt-get install dataset-fashion-mnist`);
  }
  return { images, labels };
}

export function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}
