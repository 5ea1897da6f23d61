import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  FASHION_MNIST_FILES,
  type FashionMnistFile,
  fashionMnistDownloadDir,
} from './fashion-mnist';
import { isGzip } from './idx';

/** The dataset's own mirror, as linked from its README. */
export const FASHION_MNIST_BASE_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/**
 * SHA-256 of each file's DECOMPRESSED IDX content. Computed here with
 * `zcat FILE | sha256sum` from Debian's dataset-fashion-mnist copies in
 * /usr/share/datasets/fashion-mnist. Debian re-gzipped those files, so their
 * .gz digests (and the MD5s in the upstream README) differ from the official
 * .gz files'; the content inside is the same, so that is what we verify.
 */
export const FASHION_MNIST_SHA256: Readonly<Record<FashionMnistFile, string>> = {
  'train-images-idx3-ubyte': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  'train-labels-idx1-ubyte': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  't10k-images-idx3-ubyte': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  't10k-labels-idx1-ubyte': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
};

/** `file` is the name being fetched (`train-images-idx3-ubyte.gz`); total is undefined when the server does not say. */
export type DownloadProgress = (
  file: string,
  receivedBytes: number,
  totalBytes: number | undefined,
) => void;

export interface DownloadOptions {
  /** The app's data folder; files land in `<dataDir>/fashion-mnist`. */
  dataDir: string;
  /** Folder URL holding the four `.gz` files; defaults to FASHION_MNIST_BASE_URL. */
  baseUrl?: string;
  onProgress?: DownloadProgress;
  /** Cancels the download; the partial file is removed. */
  signal?: AbortSignal;
  /** Give up on a file when no bytes arrive for this long (default 60 s), so a dead network does not hang the CLI. */
  stallTimeoutMs?: number;
}

/**
 * Downloads the four files into `<dataDir>/fashion-mnist` and returns that folder.
 * Each file is written to `NAME.part`, its decompressed content checked against
 * FASHION_MNIST_SHA256, and only then renamed to its final name (atomic on one
 * file system), so a broken download is never taken for a whole one. Safe to
 * run again after a failure: files already there are verified and kept when
 * good, replaced when not.
 */
export async function downloadFashionMnist(opts: DownloadOptions): Promise<string> {
  const dir = fashionMnistDownloadDir(opts.dataDir);
  await mkdir(dir, { recursive: true });
  const baseUrl = opts.baseUrl ?? FASHION_MNIST_BASE_URL;
  for (const name of FASHION_MNIST_FILES) {
    opts.signal?.throwIfAborted();
    if (await keepVerifiedCopy(dir, name, opts.onProgress)) continue;
    await downloadFile(dir, name, baseUrl, opts);
  }
  return dir;
}

/** Well above the largest Fashion-MNIST file (train images: 47,040,016 bytes). */
const DIGEST_MAX_BYTES = 64 * 1024 * 1024;

/**
 * SHA-256 of a file's IDX content: of its decompressed bytes when it is gzipped.
 * Streams, so the 47 MB of training images are never in memory at once.
 * `label` names the file in errors.
 */
export async function idxContentDigest(
  path: string,
  label = basename(path),
): Promise<{ sha256: string; gzipped: boolean }> {
  const gzipped = isGzip(await readHead(path, 2));
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      // A gzip bomb would keep this busy unpacking gigabytes: no Fashion-MNIST file comes near the cap.
      bytes += chunk.length;
      if (bytes > DIGEST_MAX_BYTES) throw new Error(`unpacks to more than ${DIGEST_MAX_BYTES} bytes, larger than any Fashion-MNIST file`);
      hash.update(chunk);
    }
  };
  try {
    if (gzipped) await pipeline(createReadStream(path), createGunzip(), sink);
    else await pipeline(createReadStream(path), sink);
  } catch (err) {
    throw new Error(`${label}: gzip data is corrupt or truncated (${describe(err)})`);
  }
  return { sha256: hash.digest('hex'), gzipped };
}

/** True when dir already holds a good copy of `name`; bad copies are deleted. */
async function keepVerifiedCopy(
  dir: string,
  name: FashionMnistFile,
  onProgress: DownloadProgress | undefined,
): Promise<boolean> {
  // Both forms are checked: an uncompressed copy found first may be the bad one.
  for (const path of [join(dir, name), join(dir, `${name}.gz`)]) {
    const size = await fileSize(path);
    if (size === undefined) continue;
    const good = await idxContentDigest(path).then(
      ({ sha256 }) => sha256 === FASHION_MNIST_SHA256[name],
      () => false,
    );
    if (good) {
      onProgress?.(basename(path), size, size);
      return true;
    }
    await rm(path, { force: true });
  }
  return false;
}

async function downloadFile(
  dir: string,
  name: FashionMnistFile,
  baseUrl: string,
  opts: DownloadOptions,
): Promise<void> {
  const file = `${name}.gz`;
  const url = new URL(file, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
  const part = join(dir, `${file}.part`);
  const stall = new AbortController();
  const stallMs = opts.stallTimeoutMs ?? 60_000;
  let stallTimer: NodeJS.Timeout | undefined;
  const armStallTimer = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(
      () => stall.abort(new Error(`no data for ${stallMs / 1000} s`)),
      stallMs,
    );
  };
  const signal = opts.signal ? AbortSignal.any([opts.signal, stall.signal]) : stall.signal;
  let renamed = false;
  try {
    armStallTimer();
    let response: Response;
    try {
      response = await fetch(url, { signal });
    } catch (err) {
      throw cancelledOr(opts.signal, err, `${file}: could not fetch ${url} (${describe(err)})`);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new Error(`${file}: ${url} answered ${response.status} ${response.statusText}`);
    }
    // With a Content-Encoding, fetch decodes the body and Content-Length no longer counts it.
    const length = response.headers.get('content-length');
    const total =
      length !== null && !response.headers.has('content-encoding') ? Number(length) : undefined;
    const of = total === undefined ? '' : ` of ${total}`;

    let received = 0;
    const handle = await open(part, 'w');
    try {
      for await (const chunk of response.body) {
        armStallTimer();
        for (let offset = 0; offset < chunk.length; ) {
          offset += (await handle.write(chunk, offset)).bytesWritten;
        }
        received += chunk.length;
        opts.onProgress?.(file, received, total);
      }
    } catch (err) {
      const reason = stall.signal.aborted ? describe(stall.signal.reason) : describe(err);
      throw cancelledOr(
        opts.signal,
        err,
        `${file}: download from ${url} broke off after ${received}${of} bytes (${reason})`,
      );
    } finally {
      clearTimeout(stallTimer);
      await handle.close();
    }
    if (total !== undefined && received !== total) {
      throw new Error(`${file}: download from ${url} ended after ${received}${of} bytes`);
    }

    const { sha256, gzipped } = await idxContentDigest(part, file);
    const expected = FASHION_MNIST_SHA256[name];
    if (sha256 !== expected) {
      throw new Error(
        `${file}: SHA-256 of the decompressed content is ${sha256}, expected ${expected} (corrupt download, or not Fashion-MNIST)`,
      );
    }
    // A server that sent the bytes uncompressed gets them stored under the plain name.
    await rename(part, join(dir, gzipped ? file : name));
    renamed = true;
  } finally {
    clearTimeout(stallTimer);
    if (!renamed) await rm(part, { force: true });
  }
}

/** The caller's own cancellation passes through unchanged, so it can tell it apart from a failure. */
function cancelledOr(signal: AbortSignal | undefined, err: unknown, message: string): unknown {
  return signal?.aborted ? err : new Error(message, { cause: err });
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? info.size : undefined;
}

/** An error's message plus its cause's: fetch says only "fetch failed" or "terminated" on its own. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
