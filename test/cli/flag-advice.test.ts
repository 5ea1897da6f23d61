import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src-main/api/api-error';
import { flagAdvice, messageWithFlags } from '../../src-main/cli/flag-advice';
import { resolveNetwork } from '../../src-main/shared/models/presets';
import { summarizeNetwork } from '../../src-main/shared/models/summary';

test('refusal suggestions are worded as the flags that set them', () => {
  assert.equal(
    flagAdvice([
      { field: 'batchSize', max: 48 },
      { field: 'resize', max: 64 },
      { field: 'widthRatio', min: 16 },
      { field: 'denseUnits', max: 512 },
    ]),
    'Use --batch 48 or less, or --resize 64 or less, or --width-ratio 16 or more, or --dense 512 or less.',
  );
  assert.equal(flagAdvice([]), '');
});

test('an image too small for VGG-11: core says what is wrong, the CLI adds the flag; an error over the API keeps its suggestions', () => {
  const { name, layers } = resolveNetwork({ model: 'vgg11' });
  let caught: unknown;
  try {
    summarizeNetwork(layers, [28, 28, 1], { name });
  } catch (error) {
    caught = error;
  }
  assert.match(messageWithFlags(caught as Error), /after block5_pool\. Use --resize 32 or more\.$/);
  const wired = ApiError.fromBody(new ApiError('invalid-request', 'too small', { suggestions: [{ field: 'resize', min: 32 }] }).toBody());
  assert.equal(messageWithFlags(wired), 'too small Use --resize 32 or more.');
  assert.equal(messageWithFlags(new Error('plain')), 'plain');
});
