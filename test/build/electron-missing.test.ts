// Where an npm that ignores allowScripts ran Electron's download, failed, and
// removed the package, `npm start` and `npm test` say so in one line with the
// fix, instead of a build's or a type check's page of module errors.
// (The package's absence is simulated by pointing the lookup at an empty folder.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function runWithoutElectron(script: string): { status: number | null; stdout: string; stderr: string } {
  const empty = mkdtempSync(join(tmpdir(), 'no-electron-'));
  try {
    const result = spawnSync(process.execPath, [join(root, 'scripts', script)], {
      cwd: root,
      env: { ...process.env, VGG_WORKBENCH_ELECTRON_DIR: empty },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

for (const [command, script] of [
  ['npm test and npm run build (their preflight)', 'check-install.js'],
  ['npm start', 'start.js'],
] as const) {
  test(`${command}: a missing Electron package is one line with the fix`, () => {
    const result = runWithoutElectron(script);
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^Electron's package is missing from node_modules: npm removed it when Electron's binary download failed\./);
    assert.match(lines[0]!, /ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install/);
    assert.match(lines[0]!, /ELECTRON_MIRROR/);
    assert.equal(result.stdout, '', 'nothing was built');
  });
}
