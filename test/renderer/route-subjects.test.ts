import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstString, runIdList, runIdQuery } from '../../src-renderer/src/lib/route-subjects';

test('a route param gives its first non-empty string, or null', () => {
  assert.equal(firstString('run-1'), 'run-1');
  assert.equal(firstString(['run-2', 'run-3']), 'run-2');
  assert.equal(firstString(''), null);
  assert.equal(firstString(undefined), null);
  assert.equal(firstString([null]), null);
});

test('?runs=a,b reads back as the list it was written from: order kept, blanks and repeats dropped', () => {
  assert.deepEqual(runIdList('a,b'), ['a', 'b']);
  assert.deepEqual(runIdList(['b,a', 'c', null]), ['b', 'a', 'c']);
  assert.deepEqual(runIdList('a,,a, b '), ['a', 'b']);
  assert.deepEqual(runIdList(undefined), []);
  assert.deepEqual(runIdList(runIdQuery(['x', 'y']).runs), ['x', 'y']);
  assert.deepEqual(runIdQuery([]), {}, 'no empty ?runs= in the address');
});
