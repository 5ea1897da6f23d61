import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_FILES } from '../../src-main/core/data/fashion-mnist';
import { ExperimentService } from '../../src-main/service/experiment-service';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';
import { EventLog } from './event-log';

/**
 * The dataset through the API on a machine without Debian's copy: refused
 * runs, a download with progress from a local mirror, a folder import.
 * No run trains here, so no worker starts.
 */

let dir: string;
let mirror: Server;
let baseUrl: string;
let requests = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dataset-test-'));
  mirror = createServer((request, response) => {
    requests += 1;
    const body = readFileSync(join(REAL_DATA_DIR, (request.url ?? '/').slice(1)));
    response.writeHead(200, { 'content-length': body.length });
    response.end(body);
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`;
});

after(async () => {
  await new Promise((resolve) => mirror.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const openService = (name: string) =>
  ExperimentService.open({
    databasePath: join(dir, name, 'runs.sqlite'),
    dataDir: join(dir, name),
    systemDatasetDir: join(dir, 'no-debian-package-here'),
    datasetBaseUrl: baseUrl,
  });

test('without the dataset runs are refused; a download reports progress and makes it available', async () => {
  const service = openService('download');
  const log = new EventLog();
  service.subscribe(log.listener);
  try {
    const before = await service.call('dataset.status', {});
    assert.deepEqual(before.location, { kind: 'needs-download', dir: join(dir, 'download', 'fashion-mnist') });
    await assert.rejects(service.call('runs.start', { config: { model: 'lenet' } }), { code: 'unavailable' } as object);
    assert.equal((await service.call('runs.list', {})).runs.length, 0);

    const after = await service.call('dataset.download', {});
    assert.deepEqual(after.location, { kind: 'found', source: 'downloaded', dir: join(dir, 'download', 'fashion-mnist') });
    assert.equal(after.downloading, false);
    const progress = log.events.flatMap((e) => (e.topic === 'dataset' ? [e.progress] : []));
    assert.deepEqual(progress.at(-1), { kind: 'done', dir: join(dir, 'download', 'fashion-mnist') });
    const files = new Set(progress.flatMap((p) => (p.kind === 'progress' ? [p.file] : [])));
    assert.deepEqual([...files].sort(), FASHION_MNIST_FILES.map((f) => `${f}.gz`).sort());
    const last = progress.filter((p) => p.kind === 'progress' && p.file === 'train-images-idx3-ubyte.gz').at(-1);
    assert.deepEqual(last, { kind: 'progress', file: 'train-images-idx3-ubyte.gz', receivedBytes: 26421856, totalBytes: 26421856 });
    assert.equal(requests, 4);

    const again = await service.call('dataset.download', {});
    assert.equal(again.location.kind, 'found');
    assert.equal(requests, 4, 'verified files are kept, not fetched again');
    assert.deepEqual(await service.call('dataset.cancelDownload', {}), { cancelled: false });
  } finally {
    await service.close();
  }
});

test('a folder import is checked against the checksums, then copied into the data folder', async () => {
  const service = openService('import');
  try {
    const bogus = join(dir, 'bogus');
    rmSync(bogus, { recursive: true, force: true });
    for (const name of FASHION_MNIST_FILES) writeFileSync(join(dir, `${name}`), 'not idx');
    await assert.rejects(service.call('dataset.import', { dir: bogus }), { code: 'invalid-request', field: 'dir' } as object);
    await assert.rejects(service.call('dataset.import', { dir }), (error: Error) => /checksum|gzip|not Fashion/.test(error.message));
    assert.equal((await service.call('dataset.status', {})).location.kind, 'needs-download', 'nothing was adopted');

    const status = await service.call('dataset.import', { dir: REAL_DATA_DIR });
    assert.deepEqual(status.location, { kind: 'found', source: 'downloaded', dir: join(dir, 'import', 'fashion-mnist') });
    const copied = readFileSync(join(dir, 'import', 'fashion-mnist', 't10k-labels-idx1-ubyte.gz'));
    assert.deepEqual(copied, readFileSync(join(REAL_DATA_DIR, 't10k-labels-idx1-ubyte.gz')));
    const { images } = await service.call('dataset.samples', { split: 'test', indices: [0] });
    assert.equal(images[0]?.label, 9, 'the first test image is an ankle boot');
  } finally {
    await service.close();
  }
});
