// Where Electron's npm package is, for `npm start` (start.js) and the
// `npm test`/`npm run build` preflight (check-install.js). npm drops an
// optional package whose install script fails, so an npm that still runs
// Electron's download (one that ignores allowScripts) removes Electron where
// GitHub cannot be reached; this says so in one line instead of a build's
// page of "Cannot find module 'electron'".
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The electron package's folder, or undefined where npm left it out.
 * VGG_WORKBENCH_ELECTRON_DIR points at another copy (the install test uses a
 * scratch install, so that its stub binary never lands in the project's own).
 */
export function electronPackageDir(root) {
  const elsewhere = process.env.VGG_WORKBENCH_ELECTRON_DIR;
  if (elsewhere) return existsSync(join(elsewhere, 'package.json')) ? elsewhere : undefined;
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

export function missingElectronLine() {
  return (
    "Electron's package is missing from node_modules: npm removed it when Electron's binary download failed. " +
    'Fix: ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install (npm start then fetches the binary itself), or set ELECTRON_MIRROR to a mirror you can reach and run npm install again.'
  );
}
