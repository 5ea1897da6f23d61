#!/usr/bin/env node
// Bundles the command line into out/cli/ so that bin/vgg-workbench.js runs
// built JavaScript only: no tsx, nothing resolved from the current folder.
// Run by `npm run build:cli`, by `prepare` (npm install in a checkout), by
// `prepack` (the published tarball carries out/cli) and by `npm run build`.
//
// Every thread or child-process entry is bundled beside the CLI as
// <name>.mjs, because the code starts them by URL relative to its own file
// (core/thread/entry-url.ts maps ./x.ts to ./x.mjs in the bundle). Entries are
// every src-main/**/*.entry.ts (src-main/electron/ aside) plus the files named
// below; a new entry either ends in .entry.ts or is added to this list.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'out', 'cli');

const NAMED_ENTRIES = [
  'src-main/worker/training-worker.ts',
  'src-main/core/train/replica-worker.ts',
  'src-main/service/prediction-worker.ts',
  'src-main/service/engine-probe-entry.ts',
  'src-main/core/bench/measure-child.ts',
];

// The desktop app's own entries (main, preload, utility processes) are electron-vite's to build.
const NOT_CLI = [join(root, 'src-main', 'electron')];

function collectEntryFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (NOT_CLI.includes(path)) return [];
    if (statSync(path).isDirectory()) return collectEntryFiles(path);
    return name.endsWith('.entry.ts') ? [path] : [];
  });
}

const entries = [
  ...new Set([
    ...collectEntryFiles(join(root, 'src-main')),
    ...NAMED_ENTRIES.map((file) => join(root, file)).filter((file) => existsSync(file)),
  ]),
];

// Flat output: two entries with one base name would overwrite each other.
const byName = new Map();
for (const entry of entries) {
  const name = basename(entry, '.ts');
  if (byName.has(name)) {
    console.error(`build-cli: ${relative(root, byName.get(name))} and ${relative(root, entry)} would both be out/cli/${name}.mjs; rename one`);
    process.exit(1);
  }
  byName.set(name, entry);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('build-cli: esbuild is not installed; run `npm install` in the package folder first');
  process.exit(1);
}

rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries([...byName].map(([name, file]) => [name, file])),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Packages load from the package's own node_modules at run time (Node
  // resolves them from the bundle's folder, never from the current one):
  // native addons (better-sqlite3, webgpu's dawn.node, tfjs-node) cannot be
  // bundled, and tfjs-backend-wasm finds its .wasm files beside its own code.
  packages: 'external',
  define: { __VGG_CLI_BUNDLE__: 'true' },
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(`build-cli: ${byName.size} entries bundled into ${relative(root, outdir)}/`);
