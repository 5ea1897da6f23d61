import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runColor } from '../../src-renderer/src/lib/run-color';
import { SERIES_PALETTE_SIZE, seriesColor } from '../../src-renderer/src/lib/series-colors';

const PALETTE = Array.from({ length: SERIES_PALETTE_SIZE }, (_, i) => seriesColor(i));

test('a run’s colour depends on its id alone: the same on every call, whatever else is listed', () => {
  const id = '7a93d83d';
  assert.equal(runColor(id), runColor(id));
  assert.equal(runColor(id), runColor(`${id}`.slice(0)));
  assert.ok(PALETTE.includes(runColor(id)), 'a colour of the palette, chosen for both themes');
});

test('the four example runs get four different colours', () => {
  // The ids the example set (resources/examples) is recorded with: VGG-11, LeNet, AlexNet, LeNet-5.
  const colours = ['7a93d83d', 'c95f05c7', '3bea516b', '5f5ece25'].map(runColor);
  assert.equal(new Set(colours).size, 4, colours.join(' '));
});

test('ids spread over the whole palette (FNV-1a), not onto a few colours', () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 1000; i += 1) {
    const colour = runColor(`run-${i.toString(16).padStart(8, '0')}`);
    counts.set(colour, (counts.get(colour) ?? 0) + 1);
  }
  assert.equal(counts.size, SERIES_PALETTE_SIZE);
  for (const [colour, count] of counts) assert.ok(count > 50 && count < 150, `${colour}: ${count} of 1000`);
});
