import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fasterByMeasurement } from '../../../src-main/core/engine/auto-by-speed';
import { readMeasuredSpeeds, recordMeasuredSpeed } from '../../../src-main/core/engine/measured-speeds';

const at = (imagesPerSec: number) => ({ imagesPerSec, measuredAt: 0 });

test('auto takes pytorch only where this machine measured it faster than the engine the walk picked', () => {
  assert.equal(fasterByMeasurement('wasm', ['pytorch'], { wasm: at(110), pytorch: at(420) }), 'pytorch');
  assert.equal(fasterByMeasurement('tensorflow-gpu', ['pytorch'], { 'tensorflow-gpu': at(5000), pytorch: at(420) }), undefined);
});

test('without both measurements auto keeps the walk\'s engine: a speed is measured, not assumed', () => {
  assert.equal(fasterByMeasurement('wasm', ['pytorch'], { pytorch: at(420) }), undefined);
  assert.equal(fasterByMeasurement('wasm', ['pytorch'], { wasm: at(110) }), undefined);
  assert.equal(fasterByMeasurement('wasm', ['pytorch'], {}), undefined);
});

test('speeds are kept per engine, one measurement not erasing another, and a damaged file reads as none', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'vgg-speeds-')), 'engine-speeds.json');
  recordMeasuredSpeed('pytorch', 420, 'cpu · /usr/bin/python3', file);
  recordMeasuredSpeed('wasm', 110, undefined, file);
  const speeds = readMeasuredSpeeds(file);
  assert.equal(speeds.pytorch?.imagesPerSec, 420);
  assert.equal(speeds.pytorch?.detail, 'cpu · /usr/bin/python3');
  assert.equal(speeds.wasm?.imagesPerSec, 110);
  writeFileSync(file, '{"wasm": {"imagesPerSec": -1, "measuredAt": 0}}');
  assert.deepEqual(readMeasuredSpeeds(file), {});
  writeFileSync(file, 'not json');
  assert.deepEqual(readMeasuredSpeeds(file), {});
});
