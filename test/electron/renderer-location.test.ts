import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rendererLocation } from '../../src-main/electron/renderer-location';

test('the built renderer is served as app://workbench/ and trusted only there, never as a file', () => {
  const main = join('/opt', 'app', 'out', 'main');
  const location = rendererLocation(main, undefined);
  assert.equal(location.url, 'app://workbench/index.html');
  assert.equal(location.dir, join('/opt', 'app', 'out', 'renderer'));
  assert.ok(location.isOurs(location.url));
  assert.ok(location.isOurs('app://workbench/index.html#/runs/abc'));
  assert.ok(!location.isOurs('app://elsewhere/index.html'));
  assert.ok(!location.isOurs(pathToFileURL(join('/opt', 'app', 'out', 'renderer', 'index.html')).href));
  assert.ok(!location.isOurs(pathToFileURL('/etc/passwd').href));
  assert.ok(!location.isOurs('https://example.com/'));
});

test('during development, the dev server origin is ours and nothing else', () => {
  const location = rendererLocation('/x', 'http://localhost:5173/');
  assert.equal(location.url, 'http://localhost:5173/');
  assert.ok(location.isOurs('http://localhost:5173/runs'));
  assert.ok(!location.isOurs('http://localhost:5174/'));
  assert.ok(!location.isOurs('http://evil.example/?http://localhost:5173'));
  assert.ok(!location.isOurs('not a url'));
});
