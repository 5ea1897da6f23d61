import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccessToken, isLoopbackHost, tokensMatch } from '../../src-main/server/access-token';

test('only loopback addresses go without a token', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.ok(isLoopbackHost(host), host);
  for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1']) assert.ok(!isLoopbackHost(host), host);
});

test('tokens are long, random and compared exactly', () => {
  const token = createAccessToken();
  assert.match(token, /^[0-9a-f]{48}$/);
  assert.notEqual(createAccessToken(), token);
  assert.ok(tokensMatch(token, token));
  assert.ok(!tokensMatch(token.slice(0, -1), token));
  assert.ok(!tokensMatch(undefined, token));
});
