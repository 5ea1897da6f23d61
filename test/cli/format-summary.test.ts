import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMagnitude, formatSummary } from '../../src-main/cli/format-summary';
import { formatBytes, formatInteger as formatCount } from '../../src-main/shared/format';
import { resolveNetwork } from '../../src-main/shared/models/presets';
import { summarizeNetwork } from '../../src-main/shared/models/summary';

test('formatCount groups thousands without depending on the locale', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(1000), '1,000');
  assert.equal(formatCount(138357544), '138,357,544');
  assert.equal(formatCount(1234.4), '1,234', 'whole numbers: counts of parameters and MACs');
});

test('formatBytes uses binary units and formatMagnitude decimal prefixes', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 kB');
  assert.equal(formatBytes(138357544 * 4), '528 MB');
  assert.equal(formatMagnitude(15470264320), '15.47 G');
  assert.equal(formatMagnitude(999), '999');
});

test('the table has one aligned row per layer, totals and memory lines', () => {
  const { name, layers } = resolveNetwork({ model: 'lenet' });
  const summary = summarizeNetwork(layers, [28, 28, 1], { name, batchSize: 256 });
  const lines = formatSummary(summary).split('\n');
  assert.equal(lines[0], 'lenet: input 28×28×1');
  assert.match(lines[1] ?? '', /^Layer\s+Output shape\s+Params\s+MACs$/);
  const rows = lines.slice(3, 3 + layers.length);
  assert.deepEqual(
    rows.map((row) => row.split(/\s{2,}/)[0]),
    summary.layers.map((l) => l.name),
  );
  // conv1: 20 filters of 5×5×1 plus bias; 24×24 outputs each costing 25 MACs per filter.
  assert.deepEqual(rows[0]?.split(/\s{2,}/), ['conv1', '24×24×20', '520', '288,000']);
  // Right-aligned numbers end in the same column as the header.
  const paramsEnd = (lines[1] ?? '').indexOf('Params') + 'Params'.length;
  for (const row of rows) assert.equal(row[paramsEnd], ' ', row);
  const total = lines.find((l) => l.startsWith('Total'));
  assert.ok(total?.includes(formatCount(summary.totalParams)));
  assert.ok(lines.some((l) => l.startsWith('Parameters:') && l.includes(formatCount(summary.totalParams))));
  assert.ok(lines.some((l) => l.startsWith('Activations:') && l.includes(formatBytes(summary.activationBytes)) && l.includes('batch of 256')));
});
