import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ImageSplit } from './image-split';
import { checkSameCount, readIdxImages, readIdxLabels } from './idx';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SIDE, FASHION_MNIST_SPLIT_SIZES } from '../../shared/data/fashion-mnist-facts';

// Core's callers keep importing the dataset's names from here.
export { FASHION_MNIST_CLASSES, FASHION_MNIST_SIDE };

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, https://github.com/zalandoresearch/fashion-mnist):
 * 60,000 train + 10,000 test grayscale 28×28 images of 10 clothing classes,
 * in the same IDX files as MNIST.
 */

/** The four files, without `.gz`: either form is accepted on disk. */
export const FASHION_MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;
export type FashionMnistFile = (typeof FASHION_MNIST_FILES)[number];

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const SYSTEM_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface FashionMnist {
  train: ImageSplit;
  test: ImageSplit;
  rows: number;
  cols: number;
}

export type FashionMnistLocation =
  | { kind: 'found'; source: 'user' | 'system' | 'downloaded'; dir: string }
  /** Nothing usable found; `dir` is where a download should put the files. */
  | { kind: 'needs-download'; dir: string };

export interface LocateOptions {
  /** A folder the user named; it must hold all four files. */
  dir?: string;
  /** The app's data folder; downloads live in `<dataDir>/fashion-mnist`. */
  dataDir: string;
  /** Defaults to SYSTEM_FASHION_MNIST_DIR; tests point it elsewhere. */
  systemDir?: string;
}

export function fashionMnistDownloadDir(dataDir: string): string {
  return join(dataDir, 'fashion-mnist');
}

/** The path of `name` or `name.gz` in dir (the uncompressed one first: it loads faster). */
export function findIdxFile(dir: string, name: string): string | undefined {
  return [join(dir, name), join(dir, `${name}.gz`)].find(isFile);
}

/** Paths of the four files in dir, and the names of those that are missing. */
export function findFashionMnistFiles(dir: string): {
  paths: Partial<Record<FashionMnistFile, string>>;
  missing: FashionMnistFile[];
} {
  const paths: Partial<Record<FashionMnistFile, string>> = {};
  const missing: FashionMnistFile[] = [];
  for (const name of FASHION_MNIST_FILES) {
    const path = findIdxFile(dir, name);
    if (path === undefined) missing.push(name);
    else paths[name] = path;
  }
  return { paths, missing };
}

/** The four files by their role, as an engine that reads them itself takes them (EngineRunContext.data). */
export interface FashionMnistDataFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

/** `paths` (findFashionMnistFiles) by role; undefined while any of the four is missing. */
export function fashionMnistDataFiles(paths: Partial<Record<FashionMnistFile, string>>): FashionMnistDataFiles | undefined {
  const trainImages = paths['train-images-idx3-ubyte'];
  const trainLabels = paths['train-labels-idx1-ubyte'];
  const testImages = paths['t10k-images-idx3-ubyte'];
  const testLabels = paths['t10k-labels-idx1-ubyte'];
  if (!trainImages || !trainLabels || !testImages || !testLabels) return undefined;
  return { trainImages, trainLabels, testImages, testLabels };
}

/**
 * Where to read Fashion-MNIST from, in this order: the folder the user named
 * (an error if it lacks a file: the user asked for that folder, so falling
 * back silently would train on something else), the Debian package's folder,
 * an earlier download in the app's data folder. Incomplete system or download
 * folders are passed over; download.ts finishes the latter.
 */
export function locateFashionMnist(opts: LocateOptions): FashionMnistLocation {
  if (opts.dir !== undefined) {
    if (!isDirectory(opts.dir)) throw new Error(`Fashion-MNIST folder ${opts.dir} does not exist`);
    const { missing } = findFashionMnistFiles(opts.dir);
    if (missing.length > 0) {
      throw new Error(missingFilesMessage(opts.dir, missing));
    }
    return { kind: 'found', source: 'user', dir: opts.dir };
  }
  const systemDir = opts.systemDir ?? SYSTEM_FASHION_MNIST_DIR;
  if (isComplete(systemDir)) return { kind: 'found', source: 'system', dir: systemDir };
  const downloadDir = fashionMnistDownloadDir(opts.dataDir);
  if (isComplete(downloadDir)) return { kind: 'found', source: 'downloaded', dir: downloadDir };
  return { kind: 'needs-download', dir: downloadDir };
}

/** Reads and checks the four files in dir (about 0.5 s and 55 MB). Caches nothing. */
export async function loadFashionMnist(dir: string): Promise<FashionMnist> {
  const [train, test] = await Promise.all([
    loadFashionMnistSplit(dir, 'train'),
    loadFashionMnistSplit(dir, 'test'),
  ]);
  return { train, test, rows: FASHION_MNIST_SIDE, cols: FASHION_MNIST_SIDE };
}

/** One split only, for callers that need just the test set (evaluation, the GUI's samples). */
export async function loadFashionMnistSplit(dir: string, split: 'train' | 'test'): Promise<ImageSplit> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesName: FashionMnistFile = `${prefix}-images-idx3-ubyte`;
  const labelsName: FashionMnistFile = `${prefix}-labels-idx1-ubyte`;
  const { paths, missing } = findFashionMnistFiles(dir);
  const lacking = missing.filter((name) => name === imagesName || name === labelsName);
  if (lacking.length > 0) throw new Error(missingFilesMessage(dir, lacking));
  const imagesPath = paths[imagesName] as string;
  const labelsPath = paths[labelsName] as string;
  const [images, labels] = await Promise.all([
    // Limits checked on each header, before a byte more is unpacked: a gzip bomb stops there.
    readIdxImages(imagesPath, { maxCount: FASHION_MNIST_SPLIT_SIZES[split], side: FASHION_MNIST_SIDE, dataset: 'Fashion-MNIST' }),
    readIdxLabels(labelsPath, FASHION_MNIST_CLASSES.length, { maxCount: FASHION_MNIST_SPLIT_SIZES[split], dataset: 'Fashion-MNIST' }),
  ]);
  checkSameCount(images, labels, basename(imagesPath), basename(labelsPath));
  if (images.rows !== FASHION_MNIST_SIDE || images.cols !== FASHION_MNIST_SIDE) {
    throw new Error(
      `${basename(imagesPath)}: images are ${images.rows}×${images.cols}, Fashion-MNIST's are ${FASHION_MNIST_SIDE}×${FASHION_MNIST_SIDE}`,
    );
  }
  return {
    images: images.pixels,
    labels: labels.labels,
    count: images.count,
    rows: images.rows,
    cols: images.cols,
  };
}

function missingFilesMessage(dir: string, missing: readonly FashionMnistFile[]): string {
  return `Fashion-MNIST folder ${dir} lacks ${missing.map((name) => `${name}(.gz)`).join(', ')}`;
}

function isComplete(dir: string): boolean {
  return isDirectory(dir) && findFashionMnistFiles(dir).missing.length === 0;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
