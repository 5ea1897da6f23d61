import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainingEventSchema } from '../../../src-main/shared/train/events';

test('a diverged batch (NaN or infinite loss) is a valid event; a missing or non-numeric loss is not', () => {
  const batch = { type: 'batch', time: 1, epoch: 0, step: 3, batch: 3, accuracy: 0.1, imagesPerSec: 100 };
  for (const loss of [Number.NaN, Number.POSITIVE_INFINITY, 2.3]) {
    const parsed = trainingEventSchema.parse({ ...batch, loss });
    assert.ok(parsed.type === 'batch' && Object.is(parsed.loss, loss));
  }
  assert.equal(trainingEventSchema.safeParse({ ...batch, loss: '2.3' }).success, false);
  assert.equal(trainingEventSchema.safeParse(batch).success, false);
  assert.equal(trainingEventSchema.safeParse({ ...batch, loss: 1, step: Number.NaN }).success, false);
});
