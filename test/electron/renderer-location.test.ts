import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rendererLocation } from '../../src-main/electron/renderer-location';

test('the built renderer is trusted only as our own index.html', () => {
  const main = join('/opt', 'app', 'out', 'main');
  const page = pathToFileURL(join('/opt', 'app', 'out', 'renderer', 'index.html')).href;
  const location = rendererLocation(main, undefined);
  assert.equal(location.url, page);
  assert.ok(location.isOurs(page));
  assert.ok(location.isOurs(`${page}#/runs/abc`));
  assert.ok(!location.isOurs(pathToFileURL('/opt/app/out/renderer/other.html').href));
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
