import { test } from 'node:test';
import assert from 'node:assert/strict';
import { largestTensorBytes } from '../../../../src-main/core/engine/webgpu/gpu-buffer-check';
import { checkEngineFits, RunTooLargeError, type MemoryEstimateConfig } from '../../../../src-main/core/train/memory-estimate';
import type { GpuAdapter } from '../../../../src-main/shared/train/gpu-adapter';

/** An adapter with WebGPU's default binding limit (128 MiB), as many integrated GPUs report. */
function adapter(bindingBytes: number): GpuAdapter {
  return {
    vendor: 'test',
    architecture: 'test',
    device: '',
    description: '',
    software: false,
    limits: {
      maxBufferSize: 2 ** 31,
      maxStorageBufferBindingSize: bindingBytes,
      maxComputeWorkgroupStorageSize: 16384,
      maxComputeInvocationsPerWorkgroup: 256,
    },
  };
}

/** What the trainer checks once the webgpu engine loaded on `gpu`: through its row, as train sees every engine. */
function checkGpuBuffers(config: MemoryEstimateConfig, gpu: GpuAdapter): void {
  checkEngineFits(config, { id: 'webgpu', backend: 'webgpu', version: 'test', adapter: gpu });
}

test("the largest tensor is VGG-11's first conv output times the batch, or its first dense weights", () => {
  // 96×96×64 floats per example.
  assert.equal(largestTensorBytes({ model: 'vgg11', resize: 96, batchSize: 64 }), 96 * 96 * 64 * 4 * 64);
  // At batch 1 the 4608 × 4096 dense kernel is larger than one example's activations.
  assert.equal(largestTensorBytes({ model: 'vgg11', resize: 96, batchSize: 1 }), (3 * 3 * 512 * 4096 + 4096) * 4);
});

test('a run whose tensor exceeds the adapter\'s buffer limit is refused, naming the batch that fits', () => {
  const limit = 128 * 2 ** 20;
  const config = { model: 'vgg11', resize: 96, batchSize: 64 };
  assert.throws(
    () => checkGpuBuffers(config, adapter(limit)),
    (error: unknown) => {
      assert.ok(error instanceof RunTooLargeError);
      // floor(128 MiB / (96·96·64·4 bytes)) = 56
      assert.equal(error.fits.batchSize, 56);
      assert.match(error.message, /vgg11 at 96×96, batch 64 needs a .* GPU buffer; this WebGPU adapter allows 128 MB per buffer\. Use batch 56 or less\./);
      return true;
    },
  );
  assert.doesNotThrow(() => checkGpuBuffers({ ...config, batchSize: 56 }, adapter(limit)));
  // SwiftShader's 1 GiB holds the chapter's run.
  assert.doesNotThrow(() => checkGpuBuffers(config, adapter(2 ** 30)));
});

test('when the weights alone exceed the limit, no batch is offered', () => {
  // VGG-11 at 224: the first dense layer is 25088 × 4096 floats, 392 MB.
  assert.throws(
    () => checkGpuBuffers({ model: 'vgg11', resize: 224, batchSize: 8 }, adapter(128 * 2 ** 20)),
    (error: unknown) => error instanceof RunTooLargeError && error.fits.batchSize === undefined && /No batch fits/.test(error.message),
  );
});

test('below 32 images a batch does not shrink the evaluation, which predicts 32 at a time', () => {
  // VGG-11 at width 1/8 and 224 px: 224·224·8 floats per example in its first conv.
  const config = { model: 'vgg11', widthRatio: 8, denseUnits: 64, resize: 224, batchSize: 4 };
  assert.equal(largestTensorBytes(config), 224 * 224 * 8 * 4 * 32);
  // Batch 4 alone would need 6.4 MB, but the 32-image evaluation slice needs 51 MB.
  assert.throws(
    () => checkGpuBuffers(config, adapter(16 * 2 ** 20)),
    (error: unknown) => error instanceof RunTooLargeError && error.fits.batchSize === undefined && /No batch fits/.test(error.message),
  );
});
