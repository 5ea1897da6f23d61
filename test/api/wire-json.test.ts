import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromWireJson, toWireJson } from '../../src-main/api/wire-json';

test('NaN and infinities survive the JSON transport; other values are plain JSON', () => {
  const value = { loss: Number.NaN, speed: Infinity, low: -Infinity, list: [1, Number.NaN], text: 'NaN', n: 0.5 };
  const text = toWireJson(value);
  assert.deepEqual(JSON.parse(text).text, 'NaN');
  assert.deepEqual(fromWireJson(text), value);
  // An object that merely looks like the marker, with more keys, is left alone.
  assert.deepEqual(fromWireJson('{"$number":"NaN","other":1}'), { $number: 'NaN', other: 1 });
  assert.deepEqual(fromWireJson('{"$number":"12"}'), { $number: '12' });
  assert.throws(() => fromWireJson('{'), SyntaxError);
});
