import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { writeTinyFashionMnist } from './make-idx';

const scratch = mkdtempSync(join(tmpdir(), 'gzip-bomb-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const MB = 1024 * 1024;

/** A data folder under the scratch folder. */
function folder(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** An IDX images header announcing `count` 28×28 images, then `zeroMb` MB of zeros, gzipped as it streams. */
async function writeBomb(path: string, count: number, zeroMb: number): Promise<void> {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  const zeros = Buffer.alloc(MB);
  async function* bytes() {
    yield header;
    for (let i = 0; i < zeroMb; i++) yield zeros;
  }
  await pipeline(Readable.from(bytes()), createGzip({ level: 1 }), createWriteStream(path));
}

/**
 * Loads a normal tiny data set, then the bombed one, in a fresh process, and
 * reports the growth of its peak resident memory across the second load.
 */
function loadInChild(good: string, bombed: string): { grewMb: number; error: string } {
  const script = `
    import { loadFashionMnistSplit } from ${JSON.stringify(join(process.cwd(), 'src-main/core/data/fashion-mnist.ts'))};
    await loadFashionMnistSplit(${JSON.stringify(good)}, 'train');
    const before = process.resourceUsage().maxRSS;
    let error = '';
    try { await loadFashionMnistSplit(${JSON.stringify(bombed)}, 'train'); } catch (e) { error = e.message; }
    process.stdout.write(JSON.stringify({ grewMb: (process.resourceUsage().maxRSS - before) / 1024, error }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { grewMb: number; error: string };
}

test('a gzip bomb is refused, naming the file, before the process grows 200 MB', { timeout: 120_000 }, async () => {
  const good = folder('good');
  writeTinyFashionMnist(good, { train: 20, test: 10 });

  // A header that tells the truth about its size (60,000 images, 47 MB) followed by 400 MB more.
  const truthfulHeader = folder('truthful-header');
  writeTinyFashionMnist(truthfulHeader, { train: 60_000, test: 10, omit: ['train-images-idx3-ubyte'] });
  await writeBomb(join(truthfulHeader, 'train-images-idx3-ubyte.gz'), 60_000, 400);
  // A header claiming 10 images followed by 200 MB of zeros.
  const smallHeader = folder('small-header');
  writeTinyFashionMnist(smallHeader, { train: 10, test: 10, omit: ['train-images-idx3-ubyte'] });
  await writeBomb(join(smallHeader, 'train-images-idx3-ubyte.gz'), 10, 200);

  for (const bombed of [truthfulHeader, smallHeader]) {
    const { grewMb, error } = loadInChild(good, bombed);
    console.log(`${bombed}: refused after growing ${grewMb.toFixed(1)} MB`);
    assert.match(error, /^train-images-idx3-ubyte\.gz: unpacks to more than the \d+ bytes its header announces; refused before unpacking the rest$/);
    assert.ok(grewMb < 200, `the process grew ${grewMb.toFixed(0)} MB while refusing ${bombed}`);
  }
});

test('a header announcing more images than the split has is refused before anything is unpacked', { timeout: 60_000 }, async () => {
  const dir = folder('huge-count');
  writeTinyFashionMnist(dir, { train: 10, test: 10, omit: ['train-images-idx3-ubyte'] });
  await writeBomb(join(dir, 'train-images-idx3-ubyte.gz'), 4_000_000, 1);
  writeTinyFashionMnist(folder('good'), { train: 20, test: 10 });
  const { grewMb, error } = loadInChild(join(scratch, 'good'), dir);
  assert.equal(error, 'train-images-idx3-ubyte.gz: header says 4000000 images, more than the 60000 Fashion-MNIST has; the file was not read further');
  assert.ok(grewMb < 50, `grew ${grewMb} MB`);
});
