import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCount } from '../../src-main/shared/format';

test('counts read with three significant digits at every size (issue 34: "61.71k" beside "445k")', () => {
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(1234), '1.23k');
  assert.equal(formatCount(61710), '61.7k');
  assert.equal(formatCount(445000), '445k');
  assert.equal(formatCount(999_999), '1.00M');
  assert.equal(formatCount(55_720_000), '55.7M');
  assert.equal(formatCount(138_357_544), '138M');
  assert.equal(formatCount(3.61e9), '3.61G');
  assert.equal(formatCount(-1234), '-1.23k');
  assert.equal(formatCount(null), '—');
});
