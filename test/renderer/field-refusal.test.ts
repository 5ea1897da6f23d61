import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runConfigSchema, RUN_FIELD_LIMITS } from '../../src-main/shared/train/run-config';
import { CHECKED_FIELDS, refuseField, refuseForm, withinLimits } from '../../src-renderer/src/lib/field-refusal';

test('each refusal names the field, says what is wrong and the value to use, as the image-size refusal does', () => {
  assert.equal(refuseField('batchSize', 0)?.message, 'Batch size needs at least 1: 0 is too small. Use 1.');
  assert.equal(refuseField('batchSize', 2.5)?.message, 'Batch size needs a whole number: 2.5 is not one. Use 3.');
  assert.equal(refuseField('epochs', -1)?.message, 'Epochs needs at least 1: -1 is too small. Use 1.');
  assert.equal(refuseField('lr', 100)?.message, 'Learning rate takes at most 10: 100 is too large. Use 10.');
  assert.match(refuseField('lr', 0)?.message ?? '', /^Learning rate needs a number above 0/);
  assert.equal(refuseField('trainLimit', 70000)?.message, 'Training images takes at most 60,000: 70,000 is too large. Use 60,000.');
  assert.equal(refuseField('batchSize', 2.5)?.field, 'config.batchSize');
  assert.equal(refuseField('trainLimit', null), null, 'an empty optional field means all');
  assert.equal(refuseField('momentum', 0.9), null);
});

/** A config that is valid but for `field`. */
function schemaTakes(field: (typeof CHECKED_FIELDS)[number], value: number): boolean {
  const config = { model: 'lenet', resize: 28, epochs: 1, batchSize: 64, lr: 0.1, [field]: value };
  return runConfigSchema.safeParse(config).success;
}

test('the form refuses exactly what the run schema refuses, at and around every limit', () => {
  for (const field of CHECKED_FIELDS) {
    const { min, max } = RUN_FIELD_LIMITS[field];
    for (const value of [min - 1, min - 0.5, min, min + 0.5, max - 0.5, max, max + 0.5, max + 1]) {
      assert.equal(refuseField(field, value) === null, schemaTakes(field, value), `${field} = ${value}`);
    }
  }
});

test('a fixed network is not refused for the VGG-only fields; the summary meanwhile gets values within limits', () => {
  const form = { widthRatio: 0, denseUnits: 0, trainLimit: null, testLimit: null, seed: 0, epochs: 1, batchSize: 0, lr: 0.1, momentum: 0 };
  assert.deepEqual(Object.keys(refuseForm(form, false)), ['batchSize']);
  assert.deepEqual(Object.keys(refuseForm(form, true)).sort(), ['batchSize', 'denseUnits', 'widthRatio']);
  assert.equal(withinLimits('batchSize', 0), 1);
  assert.equal(withinLimits('batchSize', 2.5), 3);
  assert.equal(withinLimits('batchSize', 99999), 4096);
  assert.equal(withinLimits('lr', 0.05), 0.05);
});
