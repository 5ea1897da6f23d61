import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bookLine } from '../../src-main/shared/train/book-line';
import type { TrainingEvent } from '../../src-main/shared/train/events';
import { TrainingTimeline } from '../../src-renderer/src/lib/training-timeline';
import { syntheticRun } from '../core/store/store-fixtures';

function timelineOf(events: readonly TrainingEvent[]): TrainingTimeline {
  const timeline = new TrainingTimeline();
  for (const event of events) timeline.apply(event);
  return timeline;
}

test('a whole run folds into every batch, epoch points at each epoch’s last step, the book’s lines, and 100 %', () => {
  const events = syntheticRun({ epochs: 3, stepsPerEpoch: 4 });
  const timeline = timelineOf(events);
  assert.deepEqual(timeline.batches.map((b) => b.step), [...Array(12).keys()]);
  assert.deepEqual(timeline.epochs.map((e) => e.step), [3, 7, 11]);
  const epochEvents = events.filter((e) => e.type === 'epoch');
  assert.deepEqual(timeline.bookLines(), epochEvents.map((e) => bookLine(e)));
  const progress = timeline.progress()!;
  assert.equal(progress.overallFraction, 1);
  assert.equal(progress.epochFraction, 1);
  assert.equal(progress.overallEtaSeconds, null, 'no ETA once the run ended');
});

test('mid-epoch: progress counts the batches done, and the ETA extrapolates the time taken so far', () => {
  const events = syntheticRun({ epochs: 2, stepsPerEpoch: 4, batchMs: 100, end: 'none' });
  // Stop after the second batch of epoch 1 (steps 0–3, the epoch-0 event, then steps 4 and 5).
  const upTo = events.findIndex((e) => e.type === 'batch' && e.step === 5);
  const timeline = timelineOf(events.slice(0, upTo + 1));
  const progress = timeline.progress()!;
  assert.equal(progress.epoch, 1);
  assert.equal(progress.epochFraction, 0.5);
  assert.equal(progress.overallFraction, 0.75);
  // 2 batches of 100 ms since epoch 0 ended: 200 ms for half an epoch, so 200 ms left.
  assert.ok(Math.abs(progress.epochEtaSeconds! - 0.2) < 1e-9);
  // Elapsed 4·100 + 200 (epoch 0's evaluation) + 2·100 = 800 ms for 3/4 of the run.
  assert.ok(Math.abs(progress.elapsedSeconds - 0.8) < 1e-9);
  assert.ok(Math.abs(progress.overallEtaSeconds! - 0.8 / 3) < 1e-9);
});

test('a resumed run’s start drops what the resume discards and keeps the epochs before it', () => {
  const first = syntheticRun({ epochs: 2, stepsPerEpoch: 3, end: 'none' });
  // Interrupted in epoch 1 after one batch: the resume retrains epoch 1 from epoch 0's checkpoint.
  const cut = first.findIndex((e) => e.type === 'batch' && e.step === 3);
  const timeline = timelineOf(first.slice(0, cut + 1));
  const start = first[0] as Extract<TrainingEvent, { type: 'start' }>;
  timeline.apply({ ...start, time: start.time + 10_000, firstEpoch: 1 });
  assert.deepEqual(timeline.batches.map((b) => b.step), [0, 1, 2]);
  assert.deepEqual(timeline.epochs.map((e) => e.epoch), [0]);
  assert.equal(timeline.end, null);
  const progress = timeline.progress()!;
  assert.equal(progress.epoch, 1, 'the resumed run trains epoch 1 next');
  assert.equal(progress.overallFraction, 0, 'its own share of work starts at 0');
});
