import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAUNCH_FORM_STORAGE_KEY, readSavedLaunch, saveLaunch, type SavedLaunch } from '../../src-renderer/src/lib/saved-launch-form';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

const saved: SavedLaunch = {
  form: {
    model: 'vgg11',
    blocks: [{ convs: 1, channels: 64 }],
    widthRatio: 8,
    denseUnits: 256,
    resize: 32,
    epochs: 7,
    batchSize: 64,
    lr: 0.05,
    momentum: 0,
    seed: 3,
    engine: 'wasm',
    trainLimit: 512,
    testLimit: null,
    name: 'kept',
    tags: 'a, b',
    baseline: false,
    initFrom: 'run-a',
    layerStats: 5,
    device: 'cuda',
    precision: 'bf16',
  },
  drafts: [{ config: { model: 'lenet', epochs: 2 }, tags: ['x'] }],
};

test('the form and the queue list come back as they were saved', () => {
  const storage = memoryStorage();
  assert.equal(readSavedLaunch(storage), null, 'nothing saved: the recipe applies');
  saveLaunch(storage, saved);
  assert.deepEqual(readSavedLaunch(storage), saved);
});

test('a form saved before the warm start existed comes back with fresh weights', () => {
  const { initFrom: _dropped, ...older } = saved.form;
  const restored = readSavedLaunch(memoryStorage({ [LAUNCH_FORM_STORAGE_KEY]: JSON.stringify({ ...saved, form: older }) }));
  assert.equal(restored?.form.initFrom, '');
});

test('a saved form that no longer fits (edited, an older build) is ignored; a stale draft is dropped', () => {
  assert.equal(readSavedLaunch(memoryStorage({ [LAUNCH_FORM_STORAGE_KEY]: '{not json' })), null);
  const wrongEngine = { ...saved, form: { ...saved.form, engine: 'abacus' } };
  assert.equal(readSavedLaunch(memoryStorage({ [LAUNCH_FORM_STORAGE_KEY]: JSON.stringify(wrongEngine) })), null);
  const staleDraft = { ...saved, drafts: [...saved.drafts, { config: { model: 'lenet', epochs: -1 } }] };
  assert.deepEqual(readSavedLaunch(memoryStorage({ [LAUNCH_FORM_STORAGE_KEY]: JSON.stringify(staleDraft) }))?.drafts, saved.drafts);
});
