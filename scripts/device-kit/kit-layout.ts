/**
 * What the device kit holds, as data: each file's place in the kit, read by
 * the builder (build-kit.ts), by run.sh (the same names, written there) and by
 * the kit's test.
 */
export const KIT_DIR = 'device-kit';

/** The transfer limit of the machines we aim at is 64 MiB; the kit keeps 4 MiB of margin. */
export const KIT_MAX_BYTES = 60 * 1024 * 1024;

export const KIT_FILES = {
  /** This machine's Node binary, xz-compressed; run.sh unpacks it to a temporary folder. */
  node: 'node.xz',
  /** The program, one ESM file with tfjs, the webgpu backend and the CLI. */
  bundle: 'app/workbench.mjs',
  /** Imports the bundle and runs it (see start.mjs). */
  start: 'app/start.mjs',
  /** Dawn's module (the npm package `webgpu`'s index.js) and its package.json saying it is ESM. */
  dawnIndex: 'webgpu/index.js',
  dawnPackage: 'webgpu/package.json',
  /** dawn.node for linux-x64, xz-compressed; unpacked beside index.js at dist/linux-x64/. */
  dawnBinary: 'webgpu/dawn.node.xz',
  /** Debian's Vulkan loader, which Dawn dlopens. */
  vulkanLoader: 'lib/libvulkan.so.1',
  /** The Fashion-MNIST test set (the agreement check's images). */
  testImages: 'data/t10k-images-idx3-ubyte.gz',
  testLabels: 'data/t10k-labels-idx1-ubyte.gz',
  yardstick: 'pytorch_reference.py',
  /** The pytorch engine's trainer script, where the bundled CLI looks for it (up from app/: resources/pytorch/). */
  trainer: 'resources/pytorch/vgg_trainer.py',
  run: 'run.sh',
  /** What was built from what: versions, sources, sizes. */
  manifest: 'manifest.json',
} as const;

/**
 * The training set, the second copy: its 25 MiB would take the kit past its
 * 60 MiB, so it travels beside it (`<kit>-train/`, another transfer). run.sh
 * finds it there, or where `--train DIR` says, for the pytorch rows and --book.
 */
export const KIT_TRAIN_SUFFIX = '-train';
export const KIT_TRAIN_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
} as const;
