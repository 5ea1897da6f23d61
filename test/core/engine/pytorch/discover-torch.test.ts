import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { discoverTorch } from '../../../../src-main/core/engine/pytorch/discover-torch';
import { EngineUnavailableError } from '../../../../src-main/core/engine/engine-unavailable';
import { PYTHON_ENV, pythonCandidates } from '../../../../src-main/core/engine/pytorch/find-python';
import { torchIsRecentEnough } from '../../../../src-main/core/engine/pytorch/probe-answer';
import { findTrainerScript } from '../../../../src-main/core/engine/pytorch/trainer-script';

const FAKES = join(import.meta.dirname, '../../../fixtures/pytorch');
const bin = (name: string): string => join(FAKES, name);
/** PATH of the given fake folders only, and no usual places: what a machine without that Python looks like. */
const onlyOnPath = (...dirs: string[]) => ({ env: { PATH: dirs.map(bin).join(':') }, usual: [] as string[] });
// The fakes ignore the script; the real one stands in so that discovery finds something to run.
const SCRIPT = findTrainerScript() ?? join(FAKES, 'fake_trainer.py');

async function refusal(dirs: string[]): Promise<EngineUnavailableError> {
  const { env, usual } = onlyOnPath(...dirs);
  try {
    await discoverTorch(env, SCRIPT, usual);
  } catch (error) {
    assert.ok(error instanceof EngineUnavailableError, String(error));
    return error;
  }
  assert.fail('discovery should have refused');
}

test('no Python at all: says so, and how to install one or name it', async () => {
  const error = await refusal(['empty']);
  assert.match(error.reason, /no Python found/);
  assert.match(error.fix ?? '', /install Python 3 with PyTorch.*pip install torch/);
  assert.match(error.fix ?? '', /--python PATH or VGG_WORKBENCH_PYTHON/);
});

test('a Python without torch: says which, and to pip install torch', async () => {
  const error = await refusal(['no-torch']);
  assert.match(error.reason, /no torch in any Python found: .*no-torch\/python3 has no torch/);
  assert.match(error.fix ?? '', /^pip install torch numpy/);
});

test('a torch older than 1.13: says its version, and to upgrade', async () => {
  const error = await refusal(['old-torch', 'no-torch']);
  assert.match(error.reason, /torch older than 1\.13: .*old-torch\/python3 has torch 1\.12\.1, older than 1\.13/);
  assert.match(error.fix ?? '', /pip install --upgrade torch/);
});

test('of several Pythons the first with torch is used, and the ones passed over are named', async () => {
  const { env, usual } = onlyOnPath('no-torch', 'with-torch');
  const found = await discoverTorch(env, SCRIPT, usual);
  assert.equal(found.python.command, join(bin('with-torch'), 'python3'));
  assert.equal(found.probe.torch, '2.5.1');
  assert.deepEqual(found.passedOver, [`${join(bin('no-torch'), 'python3')} has no torch`]);
});

test('a Python named by --python / VGG_WORKBENCH_PYTHON is the only one tried', async () => {
  const named = join(bin('no-torch'), 'python3');
  assert.deepEqual(pythonCandidates({ [PYTHON_ENV]: named, PATH: bin('with-torch') }).map((c) => c.command), [named]);
  await assert.rejects(discoverTorch({ [PYTHON_ENV]: named, PATH: bin('with-torch') }, SCRIPT, []), (error) => {
    assert.ok(error instanceof EngineUnavailableError);
    assert.match(error.fix ?? '', /unset VGG_WORKBENCH_PYTHON \/ drop --python/);
    return true;
  });
});

test('torch versions are compared by major and minor, local suffixes aside', () => {
  assert.equal(torchIsRecentEnough('1.13.0a0+git'), true);
  assert.equal(torchIsRecentEnough('2.5.1+cu121'), true);
  assert.equal(torchIsRecentEnough('1.12.1'), false);
  assert.equal(torchIsRecentEnough('0.4.1'), false);
  assert.equal(torchIsRecentEnough('nonsense'), false);
});

test("where PATH's python3 lacks torch, Debian's /usr/bin/python3 with python3-torch is found after it", async (t) => {
  // CI installs python3-torch (.ci/run); a machine without it has nothing to find here, and says so.
  const script = findTrainerScript();
  assert.ok(script, 'resources/pytorch/vgg_trainer.py ships with the workbench');
  const found = await discoverTorch({ PATH: bin('no-torch') }, script);
  t.diagnostic(`used ${found.python.command}: torch ${found.probe.torch} on ${found.probe.device}`);
  assert.equal(found.python.command, '/usr/bin/python3');
  assert.ok(torchIsRecentEnough(found.probe.torch));
  assert.deepEqual(found.passedOver, [`${join(bin('no-torch'), 'python3')} has no torch`]);
});
