import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
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

const gunzipAsync = promisify(gunzip);

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

/** Reads a file and gunzips it when its first bytes say gzip, whatever its name. */
export async function readIdxBytes(path: string): Promise<Uint8Array> {
  const raw = await readFile(path);
  if (!isGzip(raw)) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (err) {
    throw new Error(
      `${basename(path)}: gzip data is corrupt or truncated (${errorMessage(err)})`,
    );
  }
}

export async function readIdxImages(path: string): Promise<IdxImages> {
  return decodeIdxImages(await readIdxBytes(path), basename(path));
}

export async function readIdxLabels(path: string, classCount = 10): Promise<IdxLabels> {
  return decodeIdxLabels(await readIdxBytes(path), basename(path), classCount);
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
