import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src-main/api/api-error';
import { runRequestSchema } from '../../src-main/api/methods';
import { buildProgram } from '../../src-main/cli/main';
import { refusalAsUsage } from '../../src-main/cli/run-flags';
import { flagForField } from '../../src-main/cli/run-flag-table';
import { ExperimentService } from '../../src-main/service/experiment-service';

test('every field of the run request is a flag of `train`, found back from the field a refusal names', () => {
  const train = buildProgram().commands.find((c) => c.name() === 'train')!;
  const longs = new Set(train.options.map((o) => o.long));
  for (const field of Object.keys(runRequestSchema.shape)) {
    const flag = flagForField(`config.${field}`);
    assert.ok(flag && longs.has(flag), `config.${field} → ${flag}`);
  }
  assert.equal(flagForField('config.blocks.2.channels'), '--arch');
  assert.equal(flagForField('dataDir'), '--data');
  assert.equal(flagForField('runs.0.config.lr'), undefined, 'a queue request is not the train command');
});

test("the service's refusal of a run request, worded as the flag the user typed", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'run-flags-'));
  const service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, probeEngines: async () => [] });
  t.after(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const refusal = async (config: Record<string, unknown>): Promise<string> => {
    const envelope = await service.dispatch('runs.start', { config: { model: 'vgg11', ...config } });
    assert.equal(envelope.ok, false);
    return envelope.ok ? '' : refusalAsUsage(ApiError.fromBody(envelope.error)).message;
  };
  assert.match(await refusal({ lr: 11 }), /^--lr: .*10/);
  assert.match(await refusal({ batchSize: 0 }), /^--batch: /);
  assert.match(await refusal({ resize: 28 }), /^--resize: vgg11 needs images of at least 32×32.* Use --resize 32 or more\.$/);
  assert.match(await refusal({ blocks: [{ convs: 0, channels: 64 }] }), /^--arch: /);
  assert.match(await refusal({ model: 'vgg99' }), /^--model: unknown model "vgg99"/);
  assert.equal((await service.call('runs.list', {})).runs.length, 0, 'nothing was queued');
});
