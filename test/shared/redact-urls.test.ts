import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecret, redactUrls } from '../../src-main/shared/redact-urls';
import { parseQueueUrl, QueueUrlError } from '../../src-main/queue/queue-url';

// [text, what it must become, the secret that must be gone]
const TABLE: [string, string, string][] = [
  ['redis://:s3cret@127.0.0.1:6379', 'redis://***@127.0.0.1:6379', 's3cret'],
  ['rediss://:s3cret@redis.example:6380/2', 'rediss://***@redis.example:6380/2', 's3cret'],
  ['redis://user:s3cret@host', 'redis://***@host', 's3cret'],
  ['redis://:pa/ss@127.0.0.1:7000', 'redis://***@127.0.0.1:7000', 'pa/ss'],
  ['redis://:p@ss@127.0.0.1:7000', 'redis://***@127.0.0.1:7000', 'p@ss'],
  ['redis://:pa%ss@127.0.0.1:7000', 'redis://***@127.0.0.1:7000', 'pa%ss'],
  ['redis://:pa%2Fss@127.0.0.1:7000', 'redis://***@127.0.0.1:7000', 'pa%2Fss'],
  ['redis://:a:b:c@127.0.0.1:7000', 'redis://***@127.0.0.1:7000', 'a:b:c'],
  ['redis://:%E0%A4%A@host:1', 'redis://***@host:1', '%E0%A4%A'],
  ['http://:secret@10.0.0.1:8080/api', 'http://***@10.0.0.1:8080/api', 'secret'],
  ['HTTPS://admin:hunter2@example.org', 'HTTPS://***@example.org', 'hunter2'],
  [
    'cannot use the queue at redis://:x/y@h:1: ECONNREFUSED; also rediss://:z@h2:2.',
    'cannot use the queue at redis://***@h:1: ECONNREFUSED; also rediss://***@h2:2.',
    'x/y',
  ],
  ['"redis://:q@h"', '"redis://***@h"', ':q@'],
  ['redis://127.0.0.1:6379 has no password', 'redis://127.0.0.1:6379 has no password', '***'],
  ['mail me at someone@example.org', 'mail me at someone@example.org', '***'],
];

test('every URL in a message loses its user-info, whatever the scheme and whatever the password holds', () => {
  for (const [text, expected, secret] of TABLE) {
    const redacted = redactUrls(text);
    assert.equal(redacted, expected, text);
    if (secret !== '***') assert.ok(!redacted.includes(secret), `${text}: ${secret} is gone`);
  }
});

test('a known secret is removed wherever a library echoes it, raw or %-escaped', () => {
  assert.equal(redactSecret('WRONGPASS for pa/ss (pa%2Fss)', 'pa/ss'), 'WRONGPASS for *** (***)');
  assert.equal(redactSecret('no secret here', undefined), 'no secret here');
});

test('--queue errors never show the password: a bad scheme, an unparsable URL, a malformed escape', () => {
  const cases: [string, RegExp, string][] = [
    ['http://:secret@127.0.0.1:6379', /--queue http:\/\/\*\*\*@127\.0\.0\.1:6379: the scheme must be redis:\/\/ or rediss:\/\//, 'secret'],
    ['redis://:pa/ss@127.0.0.1:P', /--queue redis:\/\/\*\*\*@127\.0\.0\.1:P is not a URL/, 'pa/ss'],
    ['redis://:bad%E0%A4escape@127.0.0.1:6379', /the password holds a malformed %-escape: write % itself as %25/, 'bad%E0'],
  ];
  for (const [url, message, secret] of cases) {
    assert.throws(
      () => parseQueueUrl(url, {}),
      (error: unknown) => {
        assert.ok(error instanceof QueueUrlError);
        assert.match(error.message, message);
        assert.ok(!error.message.includes(secret), error.message);
        assert.ok(!/URI malformed/.test(error.message));
        return true;
      },
    );
  }
  assert.equal(parseQueueUrl('redis://:pa%2Fss@127.0.0.1:6379', {}).redis.password, 'pa/ss');
  assert.equal(parseQueueUrl('redis://:pa%2Fss@127.0.0.1:6379', {}).display, 'redis://***@127.0.0.1:6379');
});
