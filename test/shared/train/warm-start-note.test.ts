import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWarmStartNote, warmStartNote } from '../../../src-main/shared/train/warm-start-note';

test('the warm-start note reads back as the layer lists it was written from, among other notes', () => {
  const warm = { fromRun: 'a1b2c3d4', epoch: 2, copied: ['conv2d_1', 'conv2d_2'], fresh: ['dense_3'] };
  assert.deepEqual(parseWarmStartNote(`a plan's question\n${warmStartNote(warm)}`), warm);
  const none = { fromRun: 'x', epoch: 0, copied: [], fresh: ['dense_1'] };
  assert.equal(warmStartNote(none), 'Initialised from run x (epoch 0): copied none; fresh dense_1.');
  assert.deepEqual(parseWarmStartNote(warmStartNote(none)), none);
  assert.equal(parseWarmStartNote('no warm start here'), undefined);
});
