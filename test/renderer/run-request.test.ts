import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toStartRequest, type LaunchForm } from '../../src-renderer/src/lib/run-request';

const form: LaunchForm = {
  model: 'lenet', blocks: [], widthRatio: 1, denseUnits: 4096, resize: 28, epochs: 1, batchSize: 64, lr: 0.1, momentum: 0,
  seed: 0, engine: 'wasm', trainLimit: null, testLimit: null, name: '', tags: '', baseline: false, initFrom: '', layerStats: null,
  device: 'auto', precision: 'fp32',
};

test('"initialise from run…" reaches the request only when a run is chosen', () => {
  assert.equal('initFrom' in toStartRequest(form, undefined).config, false, 'fresh weights: no initFrom at all');
  assert.equal(toStartRequest({ ...form, initFrom: 'run-a' }, undefined).config.initFrom, 'run-a');
});

test('device and precision reach the request only with the pytorch engine, and only when not the default', () => {
  const torch = { ...form, engine: 'pytorch' as const, device: 'cuda' as const, precision: 'bf16' as const };
  const config = toStartRequest(torch, undefined).config;
  assert.equal(config.device, 'cuda');
  assert.equal(config.precision, 'bf16');
  const wasm = toStartRequest({ ...torch, engine: 'wasm' }, undefined).config;
  assert.equal('device' in wasm || 'precision' in wasm, false, 'the tfjs engines refuse them: never sent');
  const defaults = toStartRequest({ ...torch, device: 'auto', precision: 'fp32' }, undefined).config;
  assert.equal('device' in defaults || 'precision' in defaults, false, 'auto and fp32 are what absent means');
});
