import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportFileName } from '../../../src-main/service/handlers/export-file-name';

test("an export is named after its one run, or after the time for several; csv says it holds metrics", () => {
  const now = new Date('2026-12-03T10:30:15.123Z');
  assert.equal(exportFileName(['abc'], 'json', now), 'run-abc.json');
  assert.equal(exportFileName(['abc'], 'csv', now), 'run-abc-metrics.csv');
  assert.equal(exportFileName(['a', 'b'], 'json', now), 'runs-2026-12-03T10-30-15.json');
  assert.equal(exportFileName(['a', 'b'], 'csv', now), 'runs-2026-12-03T10-30-15-metrics.csv');
});
