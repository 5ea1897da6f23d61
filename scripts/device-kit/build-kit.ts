#!/usr/bin/env node
/**
 * `npm run device-kit`: builds device-kit/, everything a locked-down GPU
 * machine needs to measure the workbench (no Node, no npm, no network there;
 * files by copy, at most 64 MiB a transfer): Node compressed, the program in
 * one file, Dawn, the Vulkan loader, the Fashion-MNIST test set, the PyTorch
 * yardstick, the pytorch engine's trainer script and run.sh; and beside it,
 * `<kit>-train/`, the training set as a second copy. See docs/gpu.md.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIT_DIR, KIT_FILES, KIT_MAX_BYTES, KIT_TRAIN_FILES, KIT_TRAIN_SUFFIX } from './kit-layout';
import { bundleCli } from './bundle-cli';
import { xzCompressed } from './compress';
import { copyVulkanLoader } from './vulkan-loader';
import { dawnPackage, packageVersion, REPO_ROOT, testSetFiles, trainerScript, trainSetFiles, yardstickScript } from './kit-sources';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(REPO_ROOT, '.cache', 'device-kit');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function copyInto(kit: string, name: string, source: string): void {
  const target = join(kit, name);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
}

export async function buildKit(
  kit = join(REPO_ROOT, KIT_DIR),
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<{ kit: string; totalBytes: number; trainCopy: string }> {
  rmSync(kit, { recursive: true, force: true });
  mkdirSync(kit, { recursive: true });

  log(`node ${process.version}: compressing ${process.execPath} (cached in .cache/device-kit)`);
  await xzCompressed(process.execPath, join(kit, KIT_FILES.node), CACHE);

  log('bundling the CLI with tfjs and the webgpu backend');
  await bundleCli(join(kit, KIT_FILES.bundle));
  copyInto(kit, KIT_FILES.start, join(HERE, 'start.mjs'));

  const dawn = dawnPackage();
  log(`Dawn: webgpu ${dawn.version}, linux-x64`);
  copyInto(kit, KIT_FILES.dawnIndex, dawn.index);
  writeFileSync(join(kit, KIT_FILES.dawnPackage), `${JSON.stringify({ name: 'webgpu', version: dawn.version, type: 'module', main: 'index.js' })}\n`);
  await xzCompressed(dawn.binary, join(kit, KIT_FILES.dawnBinary), CACHE);

  const vulkan = copyVulkanLoader(join(kit, KIT_FILES.vulkanLoader));
  log(`Vulkan loader: ${vulkan.source}`);

  const testSet = testSetFiles();
  copyInto(kit, KIT_FILES.testImages, testSet.images);
  copyInto(kit, KIT_FILES.testLabels, testSet.labels);

  const yardstick = yardstickScript();
  log(`yardstick: ${relative(REPO_ROOT, yardstick)}`);
  copyInto(kit, KIT_FILES.yardstick, yardstick);
  copyInto(kit, KIT_FILES.trainer, trainerScript());
  copyInto(kit, KIT_FILES.run, join(HERE, 'run.sh'));

  // The second copy: the training set beside the kit, for the pytorch rows and run.sh --book.
  const trainCopy = `${kit}${KIT_TRAIN_SUFFIX}`;
  rmSync(trainCopy, { recursive: true, force: true });
  const trainSet = trainSetFiles();
  copyInto(trainCopy, KIT_TRAIN_FILES.trainImages, trainSet.images);
  copyInto(trainCopy, KIT_TRAIN_FILES.trainLabels, trainSet.labels);
  log(`training set: ${relative(process.cwd(), trainCopy) || trainCopy} (a second transfer)`);

  const files = Object.fromEntries(filesUnder(kit).map((path) => [relative(kit, path), statSync(path).size]));
  const totalBytes = Object.values(files).reduce((a, b) => a + b, 0);
  const manifest = {
    builtAt: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    tfjs: packageVersion('@tensorflow/tfjs'),
    tfjsWebgpu: packageVersion('@tensorflow/tfjs-backend-webgpu'),
    webgpu: dawn.version,
    vulkanLoader: vulkan.version,
    yardstick: relative(REPO_ROOT, yardstick),
    files,
    totalBytes,
  };
  writeFileSync(join(kit, KIT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  if (totalBytes > KIT_MAX_BYTES) {
    throw new Error(`the kit is ${(totalBytes / 2 ** 20).toFixed(1)} MiB, over its ${KIT_MAX_BYTES / 2 ** 20} MiB: ${JSON.stringify(files)}`);
  }
  log(`${relative(process.cwd(), kit) || kit}: ${(totalBytes / 2 ** 20).toFixed(1)} MiB in ${Object.keys(files).length + 1} files`);
  return { kit, totalBytes, trainCopy };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = process.argv[2];
  buildKit(target).catch((error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
