import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FASHION_MNIST_SHA256,
  downloadFashionMnist,
} from '../../../src-main/core/data/download';
import {
  FASHION_MNIST_FILES,
  SYSTEM_FASHION_MNIST_DIR,
  fashionMnistDownloadDir,
  locateFashionMnist,
} from '../../../src-main/core/data/fashion-mnist';

/**
 * The downloader against a local server that serves Debian's copies of the
 * real files, and that can be told to misbehave for one file.
 */

const skip = existsSync(SYSTEM_FASHION_MNIST_DIR)
  ? false
  : `${SYSTEM_FASHION_MNIST_DIR} is absent (Debian package dataset-fashion-mnist): download tests need its files to serve`;

/** What the server sends for one file; the default sends it whole. */
type Behaviour = (body: Buffer, res: ServerResponse) => void;

const whole: Behaviour = (body, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
};

/** Promises the full length, sends half, then drops the connection. */
const cutHalfway: Behaviour = (body, res) => {
  res.writeHead(200, { 'content-length': body.length });
  res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
};

/** Sends a first chunk, then nothing, keeping the connection open. */
const stall: Behaviour = (body, res) => {
  res.writeHead(200, { 'content-length': body.length });
  res.write(body.subarray(0, 1024));
};

const realFiles = new Map<string, Buffer>();
function realFile(name: string): Buffer {
  let bytes = realFiles.get(name);
  if (!bytes) {
    bytes = readFileSync(join(SYSTEM_FASHION_MNIST_DIR, name));
    realFiles.set(name, bytes);
  }
  return bytes;
}

interface Server {
  baseUrl: string;
  requests: string[];
}

/** Serves `/<name>.gz` from Debian's folder under `/mirror/`; `overrides` changes the body or the behaviour per file. */
async function serve(
  t: { after: (fn: () => Promise<void>) => void },
  overrides: Record<string, { body?: Buffer; behaviour?: Behaviour }> = {},
): Promise<Server> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const name = (req.url ?? '').replace(/^\/mirror\//, '');
    requests.push(name);
    if (!FASHION_MNIST_FILES.some((file) => `${file}.gz` === name)) {
      res.writeHead(404).end();
      return;
    }
    const override = overrides[name] ?? {};
    (override.behaviour ?? whole)(override.body ?? realFile(name), res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/mirror/`, requests };
}

function tempDataDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'download-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const NOWHERE = '/nonexistent-system-folder';

test('downloads, verifies and reports progress for all four files', { skip }, async (t) => {
  const { baseUrl, requests } = await serve(t);
  const dataDir = tempDataDir(t);
  const progress = new Map<string, Array<[number, number | undefined]>>();
  const dir = await downloadFashionMnist({
    dataDir,
    baseUrl,
    onProgress: (file, received, total) => {
      const calls = progress.get(file) ?? [];
      calls.push([received, total]);
      progress.set(file, calls);
    },
  });
  assert.equal(dir, fashionMnistDownloadDir(dataDir));
  const expected = FASHION_MNIST_FILES.map((name) => `${name}.gz`);
  assert.deepEqual(requests, expected);
  assert.deepEqual(readdirSync(dir).sort(), [...expected].sort(), 'no .part left behind');
  for (const file of expected) {
    const size = realFile(file).length;
    assert.deepEqual(readFileSync(join(dir, file)), realFile(file));
    const calls = progress.get(file) ?? [];
    assert.ok(calls.length >= 1, `progress reported for ${file}`);
    assert.deepEqual(calls.at(-1), [size, size]);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i][0] > calls[i - 1][0]);
    assert.ok(calls.every(([, total]) => total === size));
  }
  assert.deepEqual(locateFashionMnist({ dataDir, systemDir: NOWHERE }), {
    kind: 'found',
    source: 'downloaded',
    dir,
  });

  // Running again verifies what is there and fetches nothing.
  requests.length = 0;
  await downloadFashionMnist({ dataDir, baseUrl });
  assert.deepEqual(requests, []);
});

test('a connection cut halfway leaves no file, and a retry fetches only what is missing', { skip }, async (t) => {
  const cut = await serve(t, { 't10k-images-idx3-ubyte.gz': { behaviour: cutHalfway } });
  const dataDir = tempDataDir(t);
  const dir = fashionMnistDownloadDir(dataDir);
  const size = realFile('t10k-images-idx3-ubyte.gz').length;
  await assert.rejects(
    downloadFashionMnist({ dataDir, baseUrl: cut.baseUrl }),
    new RegExp(`^Error: t10k-images-idx3-ubyte\\.gz: download from ${cut.baseUrl}t10k-images-idx3-ubyte\\.gz broke off after \\d+ of ${size} bytes \\(.+\\)$`),
  );
  assert.deepEqual(readdirSync(dir).sort(), ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
  assert.equal(locateFashionMnist({ dataDir, systemDir: NOWHERE }).kind, 'needs-download');

  const good = await serve(t);
  await downloadFashionMnist({ dataDir, baseUrl: good.baseUrl });
  assert.deepEqual(good.requests, ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
  assert.equal(locateFashionMnist({ dataDir, systemDir: NOWHERE }).kind, 'found');
});

test('wrong bytes fail the digest check, naming both digests, and leave nothing', { skip }, async (t) => {
  // Valid gzip of the wrong IDX content: the test images served as the training images.
  const { baseUrl } = await serve(t, {
    'train-images-idx3-ubyte.gz': { body: realFile('t10k-images-idx3-ubyte.gz') },
  });
  const dataDir = tempDataDir(t);
  await assert.rejects(downloadFashionMnist({ dataDir, baseUrl }), {
    message:
      `train-images-idx3-ubyte.gz: SHA-256 of the decompressed content is ${FASHION_MNIST_SHA256['t10k-images-idx3-ubyte']}, ` +
      `expected ${FASHION_MNIST_SHA256['train-images-idx3-ubyte']} (corrupt download, or not Fashion-MNIST)`,
  });
  assert.deepEqual(readdirSync(fashionMnistDownloadDir(dataDir)), []);
});

test('bytes that are not gzip, or broken gzip, are rejected too', { skip }, async (t) => {
  const { baseUrl } = await serve(t, {
    'train-images-idx3-ubyte.gz': { body: Buffer.from('<html>Not Found</html>') },
  });
  const dataDir = tempDataDir(t);
  await assert.rejects(
    downloadFashionMnist({ dataDir, baseUrl }),
    /^Error: train-images-idx3-ubyte\.gz: SHA-256 of the decompressed content is [0-9a-f]{64}, expected c59f468a/,
  );
  const broken = await serve(t, {
    'train-images-idx3-ubyte.gz': { body: realFile('train-labels-idx1-ubyte.gz').subarray(0, 2000) },
  });
  await assert.rejects(
    downloadFashionMnist({ dataDir, baseUrl: broken.baseUrl }),
    /^Error: train-images-idx3-ubyte\.gz: gzip data is corrupt or truncated/,
  );
  assert.deepEqual(readdirSync(fashionMnistDownloadDir(dataDir)), []);
});

test('an HTTP error and a stalled server are reported', { skip }, async (t) => {
  const { baseUrl } = await serve(t, { 'train-images-idx3-ubyte.gz': { behaviour: stall } });
  const dataDir = tempDataDir(t);
  await assert.rejects(downloadFashionMnist({ dataDir, baseUrl: `${baseUrl}missing/` }), {
    message: `train-images-idx3-ubyte.gz: ${baseUrl}missing/train-images-idx3-ubyte.gz answered 404 Not Found`,
  });
  await assert.rejects(
    downloadFashionMnist({ dataDir, baseUrl, stallTimeoutMs: 300 }),
    /^Error: train-images-idx3-ubyte\.gz: download from .+ broke off after 1024 of \d+ bytes \(no data for 0\.3 s\)$/,
  );
  assert.deepEqual(readdirSync(fashionMnistDownloadDir(dataDir)), []);
});

test('cancelling removes the partial file and rejects with the abort reason', { skip }, async (t) => {
  const { baseUrl } = await serve(t);
  const dataDir = tempDataDir(t);
  const controller = new AbortController();
  await assert.rejects(
    downloadFashionMnist({
      dataDir,
      baseUrl,
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('user cancelled')),
    }),
    { message: 'user cancelled' },
  );
  assert.deepEqual(readdirSync(fashionMnistDownloadDir(dataDir)), []);
});
