import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSeed, mulberry32, shuffleInPlace } from '../../../src-main/core/data/random';

test('mulberry32 repeats for a seed, differs across seeds, stays in [0, 1)', () => {
  const draw = (seed: number, n: number) => {
    const random = mulberry32(seed);
    return Array.from({ length: n }, random);
  };
  assert.deepEqual(draw(42, 20), draw(42, 20));
  assert.notDeepEqual(draw(42, 20), draw(43, 20));
  const many = draw(7, 100_000);
  assert.ok(many.every((x) => x >= 0 && x < 1));
  const mean = many.reduce((a, b) => a + b, 0) / many.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  // Ten equal bins each get about a tenth (the sd of a bin count here is about 95).
  const bins = new Array<number>(10).fill(0);
  for (const x of many) bins[Math.floor(x * 10)]++;
  assert.ok(bins.every((n) => Math.abs(n - 10_000) < 500), `bins ${bins.join(' ')}`);
});

test('deriveSeed separates its inputs and their order', () => {
  const seeds = new Set<number>();
  for (let seed = 0; seed < 20; seed++) for (let epoch = 0; epoch < 20; epoch++) seeds.add(deriveSeed(seed, epoch));
  assert.equal(seeds.size, 400);
  assert.notEqual(deriveSeed(0, 1), deriveSeed(1, 0));
  assert.equal(deriveSeed(3, 4), deriveSeed(3, 4));
  assert.ok(Number.isInteger(deriveSeed(3, 4)) && deriveSeed(3, 4) >= 0 && deriveSeed(3, 4) < 2 ** 32);
});

test('shuffleInPlace permutes, repeatably for a seed', () => {
  const shuffled = (seed: number) => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    shuffleInPlace(items, mulberry32(seed));
    return items;
  };
  const once = shuffled(5);
  assert.deepEqual(shuffled(5), once);
  assert.notDeepEqual(once, Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...once].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
});

test('every element is equally likely in every position (no Sattolo-style bias)', () => {
  // 4 elements, 8000 shuffles: each (element, position) count is about 2000, sd about 39.
  const counts = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
  const random = mulberry32(11);
  for (let trial = 0; trial < 8000; trial++) {
    const items = Int32Array.of(0, 1, 2, 3);
    shuffleInPlace(items, random);
    items.forEach((element, position) => counts[element][position]++);
  }
  for (const row of counts) for (const n of row) assert.ok(Math.abs(n - 2000) < 200, `counts ${JSON.stringify(counts)}`);
});
