import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWith } from '../../src-main/server/open-browser';

test('an opener that exits with an error (xdg-open with no browser: 3) is a failure, not a silent success', async () => {
  assert.equal(await openWith('sh', ['-c', 'exit 3']), false);
  assert.equal(await openWith('/nonexistent/opener', []), false);
});

test('an opener that exits 0, or is still running after the window, opened the page', async () => {
  assert.equal(await openWith('true', []), true);
  const started = Date.now();
  assert.equal(await openWith('sleep', ['2'], 200), true);
  assert.ok(Date.now() - started < 1500);
});
