import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FASHION_MNIST_CLASSES,
  SYSTEM_FASHION_MNIST_DIR,
  fashionMnistDownloadDir,
  loadFashionMnist,
  loadFashionMnistSplit,
  locateFashionMnist,
} from '../../../src-main/core/data/fashion-mnist';
import { idxImagesBytes, writeTinyFashionMnist } from './make-idx';

const noRealData = existsSync(SYSTEM_FASHION_MNIST_DIR)
  ? false
  : `${SYSTEM_FASHION_MNIST_DIR} is absent (Debian package dataset-fashion-mnist): real-file tests skipped`;

/** A temp root with `user/`, `system/` and `data/` folders, removed after the test. */
function folders(t: { after: (fn: () => void) => void }) {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-test-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const make = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  return { root, make, dataDir: join(root, 'data') };
}

test('ten class names in label order', () => {
  assert.equal(FASHION_MNIST_CLASSES.length, 10);
  assert.equal(FASHION_MNIST_CLASSES[0], 'T-shirt/top');
  assert.equal(FASHION_MNIST_CLASSES[9], 'Ankle boot');
});

test('a folder the user names wins, gz or not', (t) => {
  const { make, dataDir } = folders(t);
  const user = make('user');
  const system = make('system');
  writeTinyFashionMnist(user, { gzip: (name) => name.includes('images') });
  writeTinyFashionMnist(system);
  const found = locateFashionMnist({ dir: user, dataDir, systemDir: system });
  assert.deepEqual(found, { kind: 'found', source: 'user', dir: user });
});

test('a named folder missing files is an error that names exactly those', (t) => {
  const { make, dataDir } = folders(t);
  const user = make('user');
  const system = make('system');
  writeTinyFashionMnist(system);
  writeTinyFashionMnist(user, { omit: ['train-labels-idx1-ubyte', 't10k-images-idx3-ubyte'] });
  assert.throws(() => locateFashionMnist({ dir: user, dataDir, systemDir: system }), {
    message: `Fashion-MNIST folder ${user} lacks train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz)`,
  });
  assert.throws(() => locateFashionMnist({ dir: join(user, 'nope'), dataDir, systemDir: system }), {
    message: `Fashion-MNIST folder ${join(user, 'nope')} does not exist`,
  });
});

test('without a named folder: system folder, then an earlier download, then a download', (t) => {
  const { make, root, dataDir } = folders(t);
  const system = join(root, 'system');
  const downloaded = fashionMnistDownloadDir(dataDir);
  assert.equal(downloaded, join(dataDir, 'fashion-mnist'));

  assert.deepEqual(locateFashionMnist({ dataDir, systemDir: system }), {
    kind: 'needs-download',
    dir: downloaded,
  });

  make('data/fashion-mnist');
  writeTinyFashionMnist(downloaded, { omit: ['t10k-labels-idx1-ubyte'] });
  assert.equal(
    locateFashionMnist({ dataDir, systemDir: system }).kind,
    'needs-download',
    'an incomplete download is not used',
  );
  writeTinyFashionMnist(downloaded, { gzip: () => true });
  assert.deepEqual(locateFashionMnist({ dataDir, systemDir: system }), {
    kind: 'found',
    source: 'downloaded',
    dir: downloaded,
  });

  make('system');
  writeTinyFashionMnist(system, { omit: ['train-images-idx3-ubyte'] });
  assert.deepEqual(
    locateFashionMnist({ dataDir, systemDir: system }),
    { kind: 'found', source: 'downloaded', dir: downloaded },
    'an incomplete system folder is passed over',
  );
  writeTinyFashionMnist(system);
  assert.deepEqual(locateFashionMnist({ dataDir, systemDir: system }), {
    kind: 'found',
    source: 'system',
    dir: system,
  });
});

test('the Debian folder is the default system folder', { skip: noRealData }, (t) => {
  const { dataDir } = folders(t);
  assert.deepEqual(locateFashionMnist({ dataDir }), {
    kind: 'found',
    source: 'system',
    dir: SYSTEM_FASHION_MNIST_DIR,
  });
});

test('loads a tiny folder into raw uint8 splits', async (t) => {
  const { make } = folders(t);
  const dir = make('tiny');
  writeTinyFashionMnist(dir, { train: 12, test: 5, gzip: (name) => name.startsWith('train') });
  const data = await loadFashionMnist(dir);
  assert.equal(data.rows, 28);
  assert.equal(data.cols, 28);
  assert.equal(data.train.count, 12);
  assert.equal(data.test.count, 5);
  assert.ok(data.train.images instanceof Uint8Array);
  assert.equal(data.train.images.length, 12 * 784);
  assert.deepEqual([...data.test.labels], [0, 1, 2, 3, 4]);
  // Pixel 5 of image 2, as make-idx writes it: (2 * 31 + 5) % 256.
  assert.equal(data.train.images[2 * 784 + 5], 67);
});

test('loading rejects mismatched counts and images that are not 28×28', async (t) => {
  const { make } = folders(t);
  const mismatched = make('mismatched');
  writeTinyFashionMnist(mismatched, { train: 12 });
  writeFileSync(join(mismatched, 'train-images-idx3-ubyte'), idxImagesBytes(11, 28, 28));
  await assert.rejects(loadFashionMnist(mismatched), {
    message: 'train-images-idx3-ubyte has 11 images but train-labels-idx1-ubyte has 12 labels',
  });

  const big = make('big');
  writeTinyFashionMnist(big, { side: 32 });
  await assert.rejects(loadFashionMnist(big), /images are 32×32, Fashion-MNIST's are 28×28/);

  const partial = make('partial');
  writeTinyFashionMnist(partial, { omit: ['t10k-labels-idx1-ubyte'] });
  await assert.rejects(loadFashionMnist(partial), /lacks t10k-labels-idx1-ubyte\(\.gz\)$/);
  assert.equal((await loadFashionMnistSplit(partial, 'train')).count, 12, 'the train split needs no test file');
});

test('loads the real data set', { skip: noRealData }, async () => {
  const data = await loadFashionMnist(SYSTEM_FASHION_MNIST_DIR);
  assert.equal(data.train.count, 60000);
  assert.equal(data.test.count, 10000);
  assert.equal(data.train.images.length, 60000 * 784);
  assert.equal(data.test.labels.length, 10000);
  assert.equal(data.train.labels[0], 9);
});
