import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formValueFor, suggestionLabel } from '../../src-renderer/src/lib/suggestion-label';

test('a suggestion becomes the button that applies it, with a value the form offers', () => {
  assert.equal(suggestionLabel({ field: 'batchSize', max: 48 }), 'Use batch size 48');
  assert.equal(formValueFor({ field: 'batchSize', max: 48 }), 48);
  // The image size is a select: at least 30 px is the next offered side, 32; at most 100 px is 96.
  assert.equal(suggestionLabel({ field: 'resize', min: 30 }), 'Use 32 px');
  assert.equal(formValueFor({ field: 'resize', max: 100 }), 96);
  assert.equal(formValueFor({ field: 'resize', min: 1000 }), undefined, 'no offered side is large enough');
  assert.equal(suggestionLabel({ field: 'resize', min: 1000 }), undefined);
  assert.equal(suggestionLabel({ field: 'widthRatio', min: 16 }), 'Use width ratio 16');
  assert.equal(suggestionLabel({ field: 'denseUnits', max: 512 }), 'Use 512 dense units');
});
