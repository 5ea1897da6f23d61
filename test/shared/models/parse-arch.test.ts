import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatArch, parseArch } from '../../../src-main/shared/models/parse-arch';

test('parseArch reads the chapter\'s VGG-11 written as convs x channels', () => {
  assert.deepEqual(parseArch('1x64,1x128,2x256,2x512,2x512'), [
    { convs: 1, channels: 64 },
    { convs: 1, channels: 128 },
    { convs: 2, channels: 256 },
    { convs: 2, channels: 512 },
    { convs: 2, channels: 512 },
  ]);
});

test('parseArch allows spaces, X and ×', () => {
  assert.deepEqual(parseArch(' 1 x 16, 2X32 ,3×64'), [
    { convs: 1, channels: 16 },
    { convs: 2, channels: 32 },
    { convs: 3, channels: 64 },
  ]);
});

test('formatArch is the inverse of parseArch', () => {
  const text = '2x64,2x128,3x256,3x512,3x512';
  assert.equal(formatArch(parseArch(text)), text);
});

test('parseArch errors name the block, the field and the fix', () => {
  assert.throws(() => parseArch(''), /arch is empty.*e\.g\. 1x64/);
  assert.throws(() => parseArch('1x64,2-128'), /arch block 2 "2-128" is not <convs>x<channels>: write it like 2x256/);
  assert.throws(() => parseArch('1x64,,2x128'), /arch block 2 "" is not/);
  assert.throws(() => parseArch('0x64'), /arch block 1 "0x64": convs must be a whole number from 1 to 8 \(got "0"\)/);
  assert.throws(() => parseArch('9x64'), /convs must be a whole number from 1 to 8/);
  assert.throws(() => parseArch('1.5x64'), /convs must be a whole number/);
  assert.throws(() => parseArch('1x64,2xabc'), /arch block 2 "2xabc": channels must be a whole number from 1 to 4096 \(got "abc"\)/);
  assert.throws(() => parseArch('1x5000'), /channels must be a whole number from 1 to 4096/);
  assert.throws(() => parseArch(Array(13).fill('1x8').join(',')), /13 blocks; at most 12/);
});
