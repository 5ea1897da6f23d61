#!/usr/bin/env node
// Runs the built CLI (out/cli/, made by scripts/build-cli.mjs at npm install
// and at build time). Plain JavaScript that loads only files of this package:
// nothing is resolved from the current folder, so a node_modules/ planted
// there is never run. From source without a build, use `npm run cli`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../out/cli/vgg-workbench.entry.mjs', import.meta.url);
if (!existsSync(bundle)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`vgg-workbench: the command line is not built; run \`npm run build:cli\` in ${root} (or \`npm run cli -- <command>\` to run from source)\n`);
  process.exit(1);
}
await import(bundle.href);
