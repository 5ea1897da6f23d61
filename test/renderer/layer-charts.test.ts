import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellTooltip, deadUnitLines, formatNorm, gradientGrid, histogramLine, layerLine, sharedRange } from '../../src-renderer/src/lib/layer-charts';
import type { LayerEpochEvent, LayerStepEvent } from '../../src-main/shared/train/layer-stats';

const step = (s: number, conv: number, fc: number): LayerStepEvent => ({
  type: 'layerStep',
  time: s,
  epoch: Math.floor(s / 10),
  step: s,
  layers: [
    { layer: 'conv1', gradNorm: conv, weightNorm: 2, updateRatio: (0.05 * conv) / 2 },
    { layer: 'fc1', gradNorm: fc, weightNorm: 10, updateRatio: (0.05 * fc) / 10 },
  ],
});

test('the heatmap has a row per layer input to output, a column per recorded step, log10 of the gradient norm', () => {
  const grid = gradientGrid([step(0, 1e-5, 0.1), step(5, 1e-4, Infinity)]);
  assert.deepEqual(grid.layers, ['conv1', 'fc1']);
  assert.deepEqual(grid.steps, [0, 5]);
  assert.deepEqual(grid.cells.map(([c, r, v]) => [c, r, typeof v === 'number' ? Math.round(v * 100) / 100 : v]), [
    [0, 0, -5],
    [0, 1, -1],
    [1, 0, -4],
    [1, 1, '-'],
  ]);
  assert.deepEqual(grid.range, { min: -5, max: -1 });
  assert.deepEqual(sharedRange([grid, gradientGrid([step(0, 1e-7, 1)])]), { min: -7, max: 0 }, 'Compare: one scale over both runs');
});

test('the tooltip names the layer, the step and its epoch, the three numbers, and a layer that barely moves', () => {
  const events = [step(0, 1e-5, 0.1), step(12, NaN, 0.2)];
  assert.deepEqual(cellTooltip(events, 0, 'conv1'), [
    'conv1, step 0 (epoch 1)',
    'gradient norm 1.00e-5',
    'weight norm 2.00',
    'update ratio lr·‖g‖/‖w‖ 2.50e-7 (barely moving)',
  ]);
  assert.deepEqual(cellTooltip(events, 1, 'conv1').slice(1, 2), ['gradient norm NaN']);
  assert.match(cellTooltip(events, 1, 'conv1')[3]!, /\(diverged\)/);
  assert.deepEqual(cellTooltip(events, 5, 'conv1'), []);
  assert.equal(formatNorm(12345), '1.23e+4');
  assert.equal(formatNorm(0.5), '0.500');
});

test('lines skip what a log axis cannot draw; histograms are shares of the weights at bin centres; dead units per block by epoch', () => {
  assert.deepEqual(layerLine([step(0, 1e-5, 0.1), step(5, 0, 0.2)], 'conv1', 'gradNorm'), [[0, 1e-5], [5, null]]);
  const epoch = (e: number, fraction: number): LayerEpochEvent => ({
    type: 'layerEpoch',
    time: e,
    epoch: e,
    histograms: [{ layer: 'conv1', min: -1, max: 1, counts: [...Array.from({ length: 31 }, () => 0), 4] }],
    dead: [{ block: 'block1', fraction }, { block: 'dense', fraction: 0.5 }],
  });
  const line = histogramLine(epoch(0, 0.1), 'conv1');
  assert.equal(line.length, 32);
  assert.deepEqual(line[31], [1 - 1 / 32, 1]);
  assert.deepEqual(deadUnitLines([epoch(0, 0.1), epoch(1, 0.3)]), [
    { block: 'block1', points: [[1, 0.1], [2, 0.3]] },
    { block: 'dense', points: [[1, 0.5], [2, 0.5]] },
  ]);
});
