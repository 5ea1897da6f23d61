import type { io } from '@tensorflow/tfjs';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sha256Hex } from './sha256';

/**
 * One checkpoint = one file, written by plain Node fs so it works on every
 * tfjs backend (cpu, wasm, tfjs-node) without tfjs-node's file:// handler:
 *
 *   bytes 0..7    magic "VGGWCKP1"
 *   bytes 8..11   header length H, uint32 little-endian
 *   bytes 12..    H bytes of UTF-8 JSON: { version, weightDataBytes, artifacts }
 *                 (artifacts = topology, weight specs, training config, metadata)
 *   then          weightDataBytes bytes of weight data, in weight-spec order
 *
 * The file appears under its name only when complete (write to a temp file in
 * the same folder, fsync, rename), so a crash never leaves a torn checkpoint.
 */
const MAGIC = Buffer.from('VGGWCKP1', 'latin1');
const FILE_VERSION = 1;
const PREFIX_BYTES = MAGIC.length + 4;

export interface CheckpointFile {
  path: string;
  bytes: number;
  sha256: string;
}

export class CheckpointFormatError extends Error {
  constructor(path: string, reason: string) {
    super(`${path} is not a readable checkpoint: ${reason}`);
    this.name = 'CheckpointFormatError';
  }
}

type HeaderArtifacts = Omit<io.ModelArtifacts, 'weightData' | 'getWeightStream'>;

interface CheckpointHeader {
  version: number;
  weightDataBytes: number;
  artifacts: HeaderArtifacts;
}

function joinWeightData(data: io.WeightData | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((part) => new Uint8Array(part)));
}

/** Writes `data` to `path` so that readers see the old file or the whole new one. */
async function writeAtomically(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export interface CheckpointHandlerOptions {
  /** On load, refuse a file whose SHA-256 differs (the hash the store recorded). */
  expectedSha256?: string;
}

/**
 * A tfjs IOHandler over one checkpoint file: `model.save(handler)` and
 * `tf.loadLayersModel(handler)`. After a save, `saved` holds the file's size
 * and SHA-256 for `RunStore.addCheckpoint`.
 */
export class CheckpointIOHandler implements io.IOHandler {
  saved: CheckpointFile | undefined;

  constructor(
    readonly path: string,
    private readonly options: CheckpointHandlerOptions = {},
  ) {}

  save = async (artifacts: io.ModelArtifacts): Promise<io.SaveResult> => {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new Error('checkpoint files hold layers models (JSON topology), not GraphDef models');
    }
    const { weightData, getWeightStream: _stream, ...rest } = artifacts;
    const weights = joinWeightData(weightData);
    const header: CheckpointHeader = {
      version: FILE_VERSION,
      weightDataBytes: weights.length,
      artifacts: rest,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(headerBytes.length, 0);
    const file = Buffer.concat([MAGIC, length, headerBytes, weights]);
    await writeAtomically(this.path, file);
    this.saved = { path: this.path, bytes: file.length, sha256: sha256Hex(file) };
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        modelTopologyBytes: JSON.stringify(rest.modelTopology ?? null).length,
        weightSpecsBytes: JSON.stringify(rest.weightSpecs ?? []).length,
        weightDataBytes: weights.length,
      },
    };
  };

  load = async (): Promise<io.ModelArtifacts> => {
    const fail = (reason: string) => new CheckpointFormatError(this.path, reason);
    // Only a regular file is read whole: a device (/dev/zero) or a FIFO would never end.
    const handle = await open(this.path, 'r');
    let file: Buffer;
    try {
      if (!(await handle.stat()).isFile()) throw fail('not a regular file');
      file = await handle.readFile();
    } finally {
      await handle.close();
    }
    if (this.options.expectedSha256 !== undefined && sha256Hex(file) !== this.options.expectedSha256) {
      // Never the file's own hash: the message would let a caller learn any file's SHA-256.
      throw fail('its SHA-256 differs from the one the run recorded');
    }
    if (file.length < PREFIX_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw fail('wrong magic bytes');
    }
    const headerLength = file.readUInt32LE(MAGIC.length);
    if (PREFIX_BYTES + headerLength > file.length) throw fail('header runs past the end');
    let header: CheckpointHeader;
    try {
      header = JSON.parse(
        file.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength),
      ) as CheckpointHeader;
    } catch {
      throw fail('header is not JSON');
    }
    if (header.version !== FILE_VERSION) throw fail(`unknown file version ${header.version}`);
    const start = PREFIX_BYTES + headerLength;
    if (file.length - start !== header.weightDataBytes) {
      throw fail(`expected ${header.weightDataBytes} weight bytes, found ${file.length - start}`);
    }
    // A fresh ArrayBuffer: the Buffer may be a view into a larger shared pool.
    const weightData = new Uint8Array(file.subarray(start)).buffer;
    return { ...header.artifacts, weightData };
  };
}

/**
 * Whether the file at `path` is a whole checkpoint: the magic, a JSON header,
 * and exactly the weight bytes the header announces. Reads only the header,
 * so a file adopted after a crash (written but never recorded) is judged
 * without loading its weights.
 */
export function isWholeCheckpointFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size < PREFIX_BYTES) return false;
    const prefix = Buffer.alloc(PREFIX_BYTES);
    readSync(fd, prefix, 0, PREFIX_BYTES, 0);
    if (!prefix.subarray(0, MAGIC.length).equals(MAGIC)) return false;
    const headerLength = prefix.readUInt32LE(MAGIC.length);
    if (PREFIX_BYTES + headerLength > stat.size) return false;
    const headerBytes = Buffer.alloc(headerLength);
    readSync(fd, headerBytes, 0, headerLength, PREFIX_BYTES);
    const header = JSON.parse(headerBytes.toString('utf8')) as Partial<CheckpointHeader>;
    return header.version === FILE_VERSION && stat.size === PREFIX_BYTES + headerLength + (header.weightDataBytes ?? -1);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export const checkpointHandler = (
  path: string,
  options?: CheckpointHandlerOptions,
): CheckpointIOHandler => new CheckpointIOHandler(path, options);

/** Anything with a tfjs LayersModel's save method. */
export interface SavableModel {
  save(handler: io.IOHandler, config?: io.SaveConfig): Promise<io.SaveResult>;
}

/**
 * Saves a model (with its optimizer state by default, so a resumed run keeps
 * its momentum) and returns what `RunStore.addCheckpoint` records.
 */
export async function saveCheckpoint(
  model: SavableModel,
  path: string,
  config: io.SaveConfig = { includeOptimizer: true },
): Promise<CheckpointFile> {
  const handler = checkpointHandler(path);
  await model.save(handler, config);
  if (!handler.saved) throw new Error(`model.save did not write ${path}`);
  return handler.saved;
}
