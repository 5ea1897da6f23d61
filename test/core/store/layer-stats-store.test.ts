import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { exportRunsJson, ImportError, importRuns } from '../../../src-main/core/store/export-import';
import { recordedEvents } from '../../../src-main/core/store/recorded-events';
import { RunRecorder } from '../../../src-main/core/store/run-recorder';
import { RunStore } from '../../../src-main/core/store/run-store';
import type { TrainingEvent } from '../../../src-main/shared/train/events';
import { HISTOGRAM_BINS, type LayerEpochEvent, type LayerStepEvent } from '../../../src-main/shared/train/layer-stats';
import { smallConfig, syntheticRun, tempDir } from './store-fixtures';

type T = { after: (fn: () => void) => void };

function openStore(t: T, dir: string, name: string): RunStore {
  const store = RunStore.open(join(dir, name));
  t.after(() => store.close());
  return store;
}

/** A synthetic run with a layer event after every other batch and after each epoch; one gradient exploded to Infinity, one ratio NaN. */
function runWithLayerStats(): TrainingEvent[] {
  const out: TrainingEvent[] = [];
  for (const event of syntheticRun({ epochs: 2, stepsPerEpoch: 4 })) {
    // The recorder writes layer events with the points: a done event flushes both.
    if (event.type === 'done') break;
    out.push(event);
    if (event.type === 'batch' && event.step % 2 === 0) {
      const step: LayerStepEvent = {
        type: 'layerStep',
        time: event.time,
        epoch: event.epoch,
        step: event.step,
        layers: [
          { layer: 'conv1', gradNorm: event.step === 6 ? Infinity : 1e-5 * (event.step + 1), weightNorm: 2, updateRatio: event.step === 6 ? NaN : 1e-7 },
          { layer: 'fc1', gradNorm: 0.1, weightNorm: 10, updateRatio: 5e-4 },
        ],
      };
      out.push(step);
    }
    if (event.type === 'epoch') {
      const epoch: LayerEpochEvent = {
        type: 'layerEpoch',
        time: event.time,
        epoch: event.epoch,
        histograms: [{ layer: 'conv1', min: -0.3, max: 0.3, counts: Array.from({ length: HISTOGRAM_BINS }, (_, i) => i) }],
        dead: [{ block: 'block1', fraction: 0.25 + event.epoch / 10 }],
      };
      out.push(epoch);
    }
  }
  return [...out, syntheticRun({ epochs: 2, stepsPerEpoch: 4 }).at(-1)!];
}

const layerEvents = (events: TrainingEvent[]) => events.filter((e) => e.type === 'layerStep' || e.type === 'layerEpoch');

test('recorded layer events replay in the order they were emitted, NaN and Infinity kept', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = openStore(t, dir, 'a.db');
  const id = store.createRun(smallConfig());
  const live = runWithLayerStats();
  const recorder = new RunRecorder(store, id);
  for (const event of live) recorder.record(event);
  const replayed = recordedEvents(store, id);
  assert.equal(layerEvents(replayed).length, 6, '4 step events + 2 epoch events');
  // Same stream, event for event, as the trainer emitted it (the recorder keeps batch fields and layer events whole).
  assert.deepEqual(replayed.map((e) => e.type), live.map((e) => e.type));
  assert.deepEqual(layerEvents(replayed), layerEvents(live));
});

test('export and import keep the layer statistics; a bad layer event is refused naming its field, and nothing is imported', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const source = openStore(t, dir, 'a.db');
  const id = source.createRun(smallConfig());
  const recorder = new RunRecorder(source, id);
  for (const event of runWithLayerStats()) recorder.record(event);
  const json = exportRunsJson(source, [id]);
  assert.match(json, /"gradNorm":"Infinity"/);

  const target = openStore(t, dir, 'b.db');
  importRuns(target, json);
  assert.deepEqual(target.layerStats.events(id), source.layerStats.events(id));
  assert.deepEqual(layerEvents(recordedEvents(target, id)), layerEvents(recordedEvents(source, id)));

  const broken = JSON.parse(json) as { runs: { id: string; layerStats: { layers?: { gradNorm: unknown }[] }[] }[] };
  broken.runs[0]!.id = 'other';
  broken.runs[0]!.layerStats[0]!.layers![0]!.gradNorm = 'lots';
  const third = openStore(t, dir, 'c.db');
  assert.throws(
    () => importRuns(third, JSON.stringify(broken)),
    (error: unknown) => error instanceof ImportError && /runs\[0\]\.layerStats\[0\]\.layers\[0\]\.gradNorm/.test(error.message) && /nothing was imported/.test(error.message),
  );
  assert.equal(third.listRuns().length, 0);
});

test('a resumed run forgets the layer statistics of the epochs it trains again; deleting the run deletes them', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const store = openStore(t, dir, 'a.db');
  const id = store.createRun(smallConfig());
  const recorder = new RunRecorder(store, id);
  for (const event of runWithLayerStats()) recorder.record(event);
  store.discardAfterEpoch(id, 0);
  assert.deepEqual(
    store.layerStats.events(id).map((e) => `${e.type}:${e.epoch}`),
    ['layerStep:0', 'layerStep:0', 'layerEpoch:0'],
  );
  store.deleteRun(id);
  assert.deepEqual(store.layerStats.events(id), []);
});
