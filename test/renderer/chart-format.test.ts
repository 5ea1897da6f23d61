import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisTooltipFormatter, escapeHtml, formatAxisValue, formatLoss, formatValue, shortLabel } from '../../src-renderer/src/lib/chart-format';

test('losses to 3 significant digits, accuracies to 3 decimals, seconds in words', () => {
  assert.equal(formatLoss(0.607061036793391), '0.607');
  assert.equal(formatLoss(2.302585), '2.30');
  assert.equal(formatLoss(12.3456), '12.3');
  assert.equal(formatLoss(0.0123456), '0.0123');
  assert.equal(formatLoss(0), '0');
  assert.equal(formatLoss(Number.NaN), '—');
  assert.equal(formatValue('accuracy', 0.8361111), '0.836');
  assert.equal(formatValue('seconds', 70.33657033699998), '1 min 10 s');
  assert.equal(formatValue('loss', 0.607061036793391), '0.607');
});

test('the x axis in words: "Epoch 5", "Step 120", a time', () => {
  assert.equal(formatAxisValue('epoch', 5), 'Epoch 5');
  assert.equal(formatAxisValue('step', 119.99999), 'Step 120');
  assert.equal(formatAxisValue('time', 75), '1 min 15 s');
});

test('the axis tooltip: a header, then each series formatted; series without a kind and gaps left out; names escaped', () => {
  const format = axisTooltipFormatter('epoch', (name) => (name === 'Published results' ? null : 'accuracy'));
  const html = format([
    { marker: '<m>', seriesName: 'VGG <11>', axisValue: 5, value: [5, 0.836111] },
    { marker: '<m>', seriesName: 'LeNet', axisValue: 5, value: [5, null] },
    { marker: '<m>', seriesName: 'Published results', axisValue: 5, value: [5, 0.8] },
  ]);
  assert.equal(html, 'Epoch 5<br/><m>VGG &lt;11&gt;: <b>0.836</b>');
});

test('a long band label is cut at a word, with an ellipsis; the full text is kept for its tooltip', () => {
  const full = '0.779–0.811: LeNet-5 (sigmoid), 28 px, lr 0.9, batch 256, 10 epochs (d2l)';
  const short = shortLabel(full);
  assert.ok(short.length <= 33 && short.endsWith('…'), short);
  assert.ok(full.startsWith(short.slice(0, -1)));
  assert.equal(shortLabel('0.83: short'), '0.83: short');
  assert.equal(escapeHtml(`a&b<c>"d'`), 'a&amp;b&lt;c&gt;&quot;d&#39;');
});
