#!/usr/bin/env node
// Preflight of `npm test` and `npm run build`: where npm removed Electron's
// package, say so in one line with the fix, instead of the type check's list
// of "Cannot find module 'electron'" errors.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronPackageDir, missingElectronLine } from './electron-package.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!electronPackageDir(root)) {
  process.stderr.write(`${missingElectronLine()}\n`);
  process.exit(1);
}
