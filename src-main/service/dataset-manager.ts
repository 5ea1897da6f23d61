import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ApiError } from '../api/api-error';
import type { DatasetStatus, WireImage } from '../api/entities';
import type { ApiParsedRequest } from '../api/methods';
import { bytesToBase64 } from '../api/pixels';
import { downloadFashionMnist, FASHION_MNIST_SHA256, idxContentDigest } from '../core/data/download';
import {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  fashionMnistDownloadDir,
  findFashionMnistFiles,
  loadFashionMnistSplit,
  locateFashionMnist,
  type FashionMnistLocation,
} from '../core/data/fashion-mnist';
import { sampleImages, type ImageSplit } from '../core/data/image-split';
import type { EventHub } from './event-hub';
import { pickIndices } from './pick-indices';
import { errorMessage } from '../shared/error-message';

export interface DatasetManagerOptions {
  /** The app's data folder: downloads and imports land in `<dataDir>/fashion-mnist`. */
  dataDir: string;
  hub: EventHub;
  /** Where Debian's package would be; tests point it elsewhere. */
  systemDir?: string;
  /** Mirror to download from (tests serve one locally). */
  baseUrl?: string;
}

/** The one wording of a missing dataset; `downloadDir` is where a download puts it. */
export const notOnThisMachine = (downloadDir: string): string =>
  `Fashion-MNIST is not on this machine: download it into ${downloadDir} (the Data view, or \`vgg-workbench data download\`), or import a folder that has it`;

/** Progress events at most this often per file, plus each file's last: a GUI bar needs no more. */
const PROGRESS_INTERVAL_MS = 100;
export const DEFAULT_SAMPLE_COUNT = 20;

/**
 * Fashion-MNIST for the GUI: where it is, fetching it (with progress events),
 * adopting a folder someone already has, and images to look at.
 */
export class DatasetManager {
  private download: { promise: Promise<DatasetStatus>; abort: AbortController } | undefined;
  private readonly splits = new Map<string, Promise<ImageSplit>>();

  constructor(private readonly options: DatasetManagerOptions) {}

  /** Where runs will read the dataset from; `dir` is a folder the user named (must be complete). */
  locate(dir?: string): FashionMnistLocation {
    return locateFashionMnist({ dir, dataDir: this.options.dataDir, systemDir: this.options.systemDir });
  }

  /** The folder to read images from now, or the one refusal every caller gives when there is none. */
  requireFolder(): string {
    const location = this.locate();
    if (location.kind === 'found') return location.dir;
    throw new ApiError('unavailable', notOnThisMachine(location.dir));
  }

  /**
   * The folder a run being queued will train from, located once, here: a
   * folder the caller named (`field` names it in the refusal when it is not
   * one), the one found, or where the download under way is putting it.
   */
  folderForRun(dir: string | undefined, field: string): string {
    let location;
    try {
      location = this.locate(dir);
    } catch (error) {
      throw new ApiError('invalid-request', errorMessage(error), { field });
    }
    if (location.kind === 'needs-download' && !this.download) {
      throw new ApiError('unavailable', notOnThisMachine(location.dir));
    }
    return location.dir;
  }

  status(): DatasetStatus {
    return {
      name: 'fashion-mnist',
      classes: [...FASHION_MNIST_CLASSES],
      location: this.locate(),
      downloading: this.download !== undefined,
    };
  }

  /** Starts a download, or joins the one under way; resolves when the files are verified. */
  fetch(): Promise<DatasetStatus> {
    if (this.download) return this.download.promise;
    const abort = new AbortController();
    const { hub } = this.options;
    const lastSent = new Map<string, number>();
    const promise = downloadFashionMnist({
      dataDir: this.options.dataDir,
      baseUrl: this.options.baseUrl,
      signal: abort.signal,
      onProgress: (file, receivedBytes, totalBytes) => {
        const now = Date.now();
        const done = totalBytes !== undefined && receivedBytes >= totalBytes;
        if (!done && now - (lastSent.get(file) ?? 0) < PROGRESS_INTERVAL_MS) return;
        lastSent.set(file, now);
        hub.emit({
          topic: 'dataset',
          progress: { kind: 'progress', file, receivedBytes, ...(totalBytes !== undefined ? { totalBytes } : {}) },
        });
      },
    }).then(
      (dir) => {
        this.finished(abort);
        hub.emit({ topic: 'dataset', progress: { kind: 'done', dir } });
        return this.status();
      },
      (error: unknown) => {
        this.finished(abort);
        if (abort.signal.aborted) {
          hub.emit({ topic: 'dataset', progress: { kind: 'cancelled' } });
          throw new ApiError('unavailable', 'the Fashion-MNIST download was cancelled');
        }
        const message = errorMessage(error);
        hub.emit({ topic: 'dataset', progress: { kind: 'failed', message } });
        throw new ApiError('unavailable', `Fashion-MNIST download failed: ${message}`);
      },
    );
    this.download = { promise, abort };
    return promise;
  }

  /** Clears the download under way, if it is still this one (a new one may have started). */
  private finished(abort: AbortController): void {
    if (this.download?.abort === abort) this.download = undefined;
  }

  cancelFetch(): boolean {
    if (!this.download) return false;
    this.download.abort.abort();
    return true;
  }

  /**
   * Adopts a folder holding the four files (`.gz` or not): each is checked
   * against the dataset's published content checksums, then copied into the
   * app's data folder, so runs find it after the folder is gone.
   */
  async import(dir: string): Promise<DatasetStatus> {
    const source = resolve(dir);
    const { paths, missing } = findFashionMnistFiles(source);
    if (missing.length > 0) {
      throw new ApiError('invalid-request', `${source} lacks ${missing.map((m) => `${m}(.gz)`).join(', ')}`, {
        field: 'dir',
      });
    }
    for (const name of FASHION_MNIST_FILES) {
      const path = paths[name]!;
      const { sha256 } = await idxContentDigest(path).catch((error: unknown) => {
        throw new ApiError('invalid-request', errorMessage(error), { field: 'dir' });
      });
      if (sha256 !== FASHION_MNIST_SHA256[name]) {
        throw new ApiError('invalid-request', `${path} is not Fashion-MNIST's ${name} (its content checksum differs)`, {
          field: 'dir',
        });
      }
    }
    const target = fashionMnistDownloadDir(this.options.dataDir);
    if (resolve(target) !== source) {
      await mkdir(target, { recursive: true });
      for (const name of FASHION_MNIST_FILES) {
        const path = paths[name]!;
        // Either form of an older copy goes, so the folder holds exactly what was checked.
        await rm(join(target, name), { force: true });
        await rm(join(target, `${name}.gz`), { force: true });
        const partial = join(target, `${basename(path)}.part`);
        await copyFile(path, partial);
        await rename(partial, join(target, basename(path)));
      }
      this.splits.clear();
    }
    return this.status();
  }

  async samples(request: ApiParsedRequest<'dataset.samples'>): Promise<{ classes: string[]; images: WireImage[] }> {
    const split = await this.split(this.requireFolder(), request.split);
    let indices = request.indices;
    if (indices === undefined) {
      const candidates: number[] = [];
      for (let i = 0; i < split.count; i++) {
        if (request.label === undefined || split.labels[i] === request.label) candidates.push(i);
      }
      indices = pickIndices(candidates, request.count ?? DEFAULT_SAMPLE_COUNT, request.seed ?? 0);
    }
    const outside = indices.find((i) => i >= split.count);
    if (outside !== undefined) {
      throw new ApiError('invalid-request', `image index ${outside} is outside 0..${split.count - 1}`, {
        field: 'indices',
      });
    }
    return { classes: [...FASHION_MNIST_CLASSES], images: this.toWire(split, indices) };
  }

  /** Images of the test split, for results views (misclassified examples). */
  async testImages(dir: string, indices: readonly number[]): Promise<WireImage[]> {
    return this.toWire(await this.split(dir, 'test'), indices);
  }

  async testLabels(dir: string): Promise<Uint8Array> {
    return (await this.split(dir, 'test')).labels;
  }

  private toWire(split: ImageSplit, indices: readonly number[]): WireImage[] {
    return sampleImages(split, indices).map((image) => ({
      index: image.index,
      label: image.label,
      rows: split.rows,
      cols: split.cols,
      pixels: bytesToBase64(image.pixels),
    }));
  }

  /** Each split is read once per folder (the train images are 47 MB). */
  private split(dir: string, which: 'train' | 'test'): Promise<ImageSplit> {
    const key = `${which}:${dir}`;
    let split = this.splits.get(key);
    if (!split) {
      split = loadFashionMnistSplit(dir, which);
      this.splits.set(key, split);
      split.catch(() => this.splits.delete(key));
    }
    return split;
  }
}
