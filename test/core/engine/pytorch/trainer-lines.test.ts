import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrainerLine, TrainerLineError } from '../../../../src-main/core/engine/pytorch/trainer-lines';

test('each kind of protocol line parses, non-finite numbers included', () => {
  const batch = parseTrainerLine('{"type":"event","event":{"type":"batch","time":1,"epoch":0,"step":0,"batch":0,"loss":{"$number":"NaN"},"accuracy":0.1,"imagesPerSec":5}}');
  assert.ok(batch.type === 'event' && batch.event.type === 'batch' && Number.isNaN(batch.event.loss));
  const sha256 = 'a'.repeat(64);
  assert.deepEqual(parseTrainerLine(`{"type":"checkpoint","epoch":1,"path":"/x/epoch-1.ckpt","bytes":10,"sha256":"${sha256}"}`), {
    type: 'checkpoint',
    epoch: 1,
    path: '/x/epoch-1.ckpt',
    bytes: 10,
    sha256,
  });
  assert.equal(parseTrainerLine('{"type":"log","message":"bf16 is not supported here: fp32"}').type, 'log');
});

test('a line that is JSON but not the protocol is refused, naming the line and the field', () => {
  const line = '{"type":"event","event":{"type":"batch","time":1,"epoch":"one","step":0,"batch":0,"loss":2,"accuracy":0.1,"imagesPerSec":5}}';
  assert.throws(() => parseTrainerLine(line), (error) => {
    assert.ok(error instanceof TrainerLineError);
    assert.match(error.message, /not a protocol message at event\.epoch .*: "\{\\"type\\":\\"event\\"/);
    return true;
  });
  assert.throws(() => parseTrainerLine('{"type":"progress","percent":5}'), /not a protocol message/);
  assert.throws(() => parseTrainerLine('{"type":"checkpoint","epoch":1,"path":"/x","bytes":10,"sha256":"not-a-hash"}'), /at sha256/);
});

test('a very long line is shown cut, not whole', () => {
  const long = `garbage ${'x'.repeat(5000)}`;
  assert.throws(() => parseTrainerLine(long), (error) => {
    assert.ok(error instanceof Error && error.message.length < 400, error instanceof Error ? String(error.message.length) : '');
    assert.match(error.message, /not JSON: "garbage x+…"/);
    return true;
  });
});
