import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rendererLocation } from '../../src-main/electron/renderer-location';

test('the built renderer is served as app://workbench/ and trusted only there, never as a file', () => {
  const main = join('/opt', 'app', 'out', 'main');
  const location = rendererLocation(main, { packaged: true, devServerUrl: undefined });
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
  const location = rendererLocation('/x', { packaged: false, devServerUrl: 'http://localhost:5173/' });
  assert.equal(location.url, 'http://localhost:5173/');
  assert.ok(location.isOurs('http://localhost:5173/runs'));
  assert.ok(!location.isOurs('http://localhost:5174/'));
  assert.ok(!location.isOurs('http://evil.example/?http://localhost:5173'));
  assert.ok(!location.isOurs('not a url'));
});

test('the packaged app ignores ELECTRON_RENDERER_URL and loads only app://', () => {
  for (const devServerUrl of ['http://localhost:5173/', 'https://evil.example/', 'file:///tmp/page.html']) {
    const location = rendererLocation('/opt/app/out/main', { packaged: true, devServerUrl });
    assert.equal(location.url, 'app://workbench/index.html', devServerUrl);
    assert.ok(!location.isOurs(devServerUrl), `${devServerUrl} is not trusted`);
  }
});

test('in development, only an http dev server on this machine replaces the built files', () => {
  for (const devServerUrl of ['https://evil.example/', 'http://192.168.1.5:5173/', 'file:///tmp/page.html', 'javascript:alert(1)', 'not a url', '']) {
    const location = rendererLocation('/x', { packaged: false, devServerUrl });
    assert.equal(location.url, 'app://workbench/index.html', devServerUrl);
  }
  assert.equal(rendererLocation('/x', { packaged: false, devServerUrl: 'http://127.0.0.1:5173/' }).url, 'http://127.0.0.1:5173/');
  assert.equal(rendererLocation('/x', { packaged: false, devServerUrl: 'http://[::1]:5173/' }).url, 'http://[::1]:5173/');
});
