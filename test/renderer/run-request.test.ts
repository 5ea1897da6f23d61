import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toStartRequest, type LaunchForm } from '../../src-renderer/src/lib/run-request';

const form: LaunchForm = {
  model: 'lenet', blocks: [], widthRatio: 1, denseUnits: 4096, resize: 28, epochs: 1, batchSize: 64, lr: 0.1, momentum: 0,
  seed: 0, engine: 'wasm', trainLimit: null, testLimit: null, name: '', tags: '', baseline: false, initFrom: '', layerStats: null,
};

test('"initialise from run…" reaches the request only when a run is chosen', () => {
  assert.equal('initFrom' in toStartRequest(form, undefined).config, false, 'fresh weights: no initFrom at all');
  assert.equal(toStartRequest({ ...form, initFrom: 'run-a' }, undefined).config.initFrom, 'run-a');
});
