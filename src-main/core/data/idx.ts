import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { errorMessage } from '../../shared/error-message';

/**
 * Reader for the IDX format that MNIST and Fashion-MNIST ship in
 * (http://yann.lecun.com/exdb/mnist/, section "FILE FORMATS"): a big-endian
 * header, then the payload as unsigned bytes. Every check names the file and
 * says what is wrong, because "Invalid array length" three layers down tells
 * a user nothing about which of four downloads to fetch again.
 */

/** Magic = two zero bytes, type 0x08 (unsigned byte), number of dimensions. */
export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

const IMAGES_HEADER_BYTES = 16; // magic, count, rows, cols
const LABELS_HEADER_BYTES = 8; // magic, count

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, row-major, 0 = background. A view, not a copy. */
  pixels: Uint8Array;
}

export interface IdxLabels {
  count: number;
  labels: Uint8Array;
}

/** gzip streams start with 1f 8b (RFC 1952, section 2.3.1). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * What a caller expects of a file, checked on its header before the payload
 * is read or unpacked: a file announcing more (or inflating to more than it
 * announced) is refused there, so a gzip bomb costs a few kilobytes.
 */
export interface IdxLimits {
  /** At most this many images or labels (Fashion-MNIST: 60,000 train, 10,000 test). */
  maxCount?: number;
  /** Images must be this many pixels on a side. */
  side?: number;
  /** Names the data set in messages ("Fashion-MNIST's are 28×28"). */
  dataset?: string;
}

/** The largest payload read when a caller sets no count: far above any MNIST-like set (47 MB). */
export const IDX_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** How far past its announced size a plain (not gzipped) file is still read, to report the excess exactly. */
const RAW_SLACK_BYTES = 64 * 1024;

interface IdxShape {
  headerBytes: number;
  /** Checks the header (magic, limits) and returns the payload size it announces. */
  payloadBytes(header: Uint8Array, name: string): number;
}

const imagesShape = (limits: IdxLimits): IdxShape => ({
  headerBytes: IMAGES_HEADER_BYTES,
  payloadBytes(header, name) {
    checkMagic(header, name, IDX_IMAGES_MAGIC);
    const view = dataView(header);
    const [count, rows, cols] = [view.getUint32(4), view.getUint32(8), view.getUint32(12)];
    checkCount(name, count, 'images', limits);
    if (limits.side !== undefined && (rows !== limits.side || cols !== limits.side)) {
      const whose = limits.dataset ? `${limits.dataset}'s are` : 'expected';
      throw new Error(`${name}: images are ${rows}×${cols}, ${whose} ${limits.side}×${limits.side}`);
    }
    return count * rows * cols;
  },
});

const labelsShape = (limits: IdxLimits): IdxShape => ({
  headerBytes: LABELS_HEADER_BYTES,
  payloadBytes(header, name) {
    checkMagic(header, name, IDX_LABELS_MAGIC);
    const count = dataView(header).getUint32(4);
    checkCount(name, count, 'labels', limits);
    return count;
  },
});

function checkCount(name: string, count: number, what: string, limits: IdxLimits): void {
  if (limits.maxCount !== undefined && count > limits.maxCount) {
    const set = limits.dataset ?? 'this data set';
    throw new Error(`${name}: header says ${count} ${what}, more than the ${limits.maxCount} ${set} has; the file was not read further`);
  }
}

/**
 * Reads an IDX file, gunzipping it when its first bytes say gzip (whatever
 * its name), streamed: the header is read first, and no more bytes than it
 * announces are ever held. What the header announces is checked against
 * `shape` (and capped by IDX_MAX_PAYLOAD_BYTES) before the rest is read.
 * Shorter files come back short, for the decoder to say what is missing.
 */
async function readIdxBounded(path: string, shape: IdxShape): Promise<Uint8Array> {
  const name = basename(path);
  const file = await open(path, 'r');
  const magic = Buffer.alloc(2);
  let gzipped: boolean;
  try {
    gzipped = isGzip(magic.subarray(0, (await file.read(magic, 0, 2, 0)).bytesRead));
  } finally {
    await file.close();
  }
  const source = createReadStream(path);
  const stream: Readable = gzipped ? source.pipe(createGunzip()) : source;
  if (gzipped) source.on('error', (error) => stream.destroy(error));
  let head = Buffer.alloc(0);
  let out: Uint8Array | undefined;
  let filled = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let rest = chunk;
      if (out === undefined) {
        head = Buffer.concat([head, rest]);
        if (head.length < shape.headerBytes) continue;
        const total = shape.headerBytes + shape.payloadBytes(head.subarray(0, shape.headerBytes), name);
        if (total - shape.headerBytes > IDX_MAX_PAYLOAD_BYTES) {
          throw new Error(`${name}: header announces ${total - shape.headerBytes} bytes of data, more than the ${IDX_MAX_PAYLOAD_BYTES} this reader takes; the file was not unpacked`);
        }
        // A plain file a little longer than announced is read whole, for the decoder to count the extra bytes.
        out = new Uint8Array(gzipped ? total : total + RAW_SLACK_BYTES);
        rest = head;
      }
      if (filled + rest.length > out.length) {
        const announced = gzipped ? out.length : out.length - RAW_SLACK_BYTES;
        throw new Error(
          gzipped
            ? `${name}: unpacks to more than the ${announced} bytes its header announces; refused before unpacking the rest`
            : `${name}: holds more than the ${announced} bytes its header announces; refused before reading the rest`,
        );
      }
      out.set(rest, filled);
      filled += rest.length;
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(`${name}: `)) throw err;
    if (gzipped) throw new Error(`${name}: gzip data is corrupt or truncated (${errorMessage(err)})`);
    throw err;
  } finally {
    stream.destroy();
    source.destroy();
  }
  return out === undefined ? new Uint8Array(head) : out.subarray(0, filled);
}

export async function readIdxImages(path: string, limits: IdxLimits = {}): Promise<IdxImages> {
  return decodeIdxImages(await readIdxBounded(path, imagesShape(limits)), basename(path));
}

export async function readIdxLabels(path: string, classCount = 10, limits: IdxLimits = {}): Promise<IdxLabels> {
  return decodeIdxLabels(await readIdxBounded(path, labelsShape(limits)), basename(path), classCount);
}

/** `name` only labels error messages. */
export function decodeIdxImages(bytes: Uint8Array, name: string): IdxImages {
  checkMagic(bytes, name, IDX_IMAGES_MAGIC);
  checkHeaderLength(bytes, name, IMAGES_HEADER_BYTES, 'image');
  const view = dataView(bytes);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows === 0 || cols === 0) {
    throw new Error(`${name}: header says images of ${rows}×${cols}, which is empty`);
  }
  const expected = count * rows * cols;
  checkPayloadLength(
    bytes,
    name,
    IMAGES_HEADER_BYTES,
    expected,
    `${count} images of ${rows}×${cols} = ${expected} bytes`,
  );
  const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset + IMAGES_HEADER_BYTES, expected);
  return { count, rows, cols, pixels };
}

/** Labels must lie in 0..classCount-1. `name` only labels error messages. */
export function decodeIdxLabels(bytes: Uint8Array, name: string, classCount = 10): IdxLabels {
  checkMagic(bytes, name, IDX_LABELS_MAGIC);
  checkHeaderLength(bytes, name, LABELS_HEADER_BYTES, 'label');
  const count = dataView(bytes).getUint32(4);
  checkPayloadLength(bytes, name, LABELS_HEADER_BYTES, count, `${count} labels = ${count} bytes`);
  const labels = new Uint8Array(bytes.buffer, bytes.byteOffset + LABELS_HEADER_BYTES, count);
  const bad = labels.findIndex((label) => label >= classCount);
  if (bad >= 0) {
    throw new Error(
      `${name}: label ${labels[bad]} at index ${bad} is outside 0..${classCount - 1}`,
    );
  }
  return { count, labels };
}

/** An images file and its labels file must describe the same examples. */
export function checkSameCount(
  images: IdxImages,
  labels: IdxLabels,
  imagesName: string,
  labelsName: string,
): void {
  if (images.count !== labels.count) {
    throw new Error(
      `${imagesName} has ${images.count} images but ${labelsName} has ${labels.count} labels`,
    );
  }
}

function checkMagic(bytes: Uint8Array, name: string, expected: number): void {
  const kind = (magic: number) => (magic === IDX_IMAGES_MAGIC ? 'IDX images' : 'IDX labels');
  if (bytes.length < 4) {
    throw new Error(`${name}: file has ${bytes.length} bytes, too short for an IDX header`);
  }
  const magic = dataView(bytes).getUint32(0);
  if (magic === expected) return;
  // A swapped images/labels file is the likeliest mix-up, so say so.
  const looksLike =
    magic === IDX_IMAGES_MAGIC || magic === IDX_LABELS_MAGIC ? ` (that of ${kind(magic)})` : '';
  throw new Error(
    `${name}: magic number is ${hex32(magic)}${looksLike}, expected ${hex32(expected)} (${kind(expected)})`,
  );
}

function checkHeaderLength(bytes: Uint8Array, name: string, needed: number, kind: string): void {
  if (bytes.length < needed) {
    throw new Error(
      `${name}: header is truncated: file has ${bytes.length} bytes, an IDX ${kind} header needs ${needed}`,
    );
  }
}

function checkPayloadLength(
  bytes: Uint8Array,
  name: string,
  headerBytes: number,
  expected: number,
  what: string,
): void {
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw new Error(
      `${name}: header says ${what}, file has ${actual} bytes after the ${headerBytes}-byte header (truncated?)`,
    );
  }
  if (actual > expected) {
    throw new Error(
      `${name}: header says ${what}, file has ${actual} bytes after the ${headerBytes}-byte header (${actual - expected} too many)`,
    );
  }
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
