import * as tf from '@tensorflow/tfjs';

/**
 * A tiny conv net, forward and backward, run on a candidate backend and
 * compared with the plain-JS `cpu` backend. It touches every kernel family
 * our models train with: Conv2D and both of its gradients (stride 1 'same' and
 * stride 2 'valid'), ReLU, sigmoid, max and average pooling and their
 * gradients, a dense layer and softmax cross-entropy. A backend that loads but
 * computes wrong numbers (a missing or broken kernel, a GPU library mismatch)
 * fails here instead of in the middle of a run.
 */

/**
 * Largest error allowed, relative to the largest magnitude of each compared
 * tensor. Loose enough for TF32 math on recent NVIDIA GPUs (10-bit mantissa,
 * on by default in TensorFlow >= 2.4), tight enough that a wrong kernel,
 * which is off by the order of the values themselves, never passes.
 */
const RELATIVE_TOLERANCE = 1e-2;

const BATCH = 2;
const SIDE = 10;
const IN_CHANNELS = 2;
const CLASSES = 4;

/** Deterministic values in [-1, 1]; no RNG, so every backend sees the same inputs. */
function wave(size: number, phase: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7 + phase));
}

const inputs = {
  x: wave(BATCH * SIDE * SIDE * IN_CHANNELS, 0.1),
  w1: wave(3 * 3 * IN_CHANNELS * 4, 1.3).map((v) => v * 0.5),
  w2: wave(3 * 3 * 4 * 3, 2.9).map((v) => v * 0.5),
  w3: wave(3 * CLASSES, 4.1),
  b3: wave(CLASSES, 5.3).map((v) => v * 0.1),
};

/**
 * Loss and its gradient with respect to the input and every weight, read back
 * to plain arrays. Reads are asynchronous: the webgpu backend in Node has no
 * synchronous read (it would need OffscreenCanvas).
 */
async function lossAndGradients(): Promise<Map<string, Float32Array>> {
  const names = ['loss', 'dx', 'dw1', 'dw2', 'dw3', 'db3'];
  const tensors = tf.tidy(() => {
    const x = tf.tensor4d(inputs.x, [BATCH, SIDE, SIDE, IN_CHANNELS]);
    const w1 = tf.tensor4d(inputs.w1, [3, 3, IN_CHANNELS, 4]);
    const w2 = tf.tensor4d(inputs.w2, [3, 3, 4, 3]);
    const w3 = tf.tensor2d(inputs.w3, [3, CLASSES]);
    const b3 = tf.tensor1d(inputs.b3);
    const labels = tf.oneHot(tf.tensor1d([1, 3], 'int32'), CLASSES);
    const net = (x: tf.Tensor4D, w1: tf.Tensor4D, w2: tf.Tensor4D, w3: tf.Tensor2D, b3: tf.Tensor1D) => {
      const a1 = tf.maxPool(tf.relu(tf.conv2d(x, w1, 1, 'same')), 2, 2, 'valid'); // [2, 5, 5, 4]
      const a2 = tf.avgPool(tf.sigmoid(tf.conv2d(a1, w2, 2, 'valid')), 2, 2, 'valid'); // [2, 1, 1, 3]
      const logits = tf.add(tf.matMul(tf.reshape(a2, [BATCH, 3]), w3), b3); // [2, 4]
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(
      net as (...args: tf.Tensor[]) => tf.Scalar,
    )([x, w1, w2, w3, b3]);
    return [value, ...grads];
  });
  try {
    const values = await Promise.all(tensors.map((tensor) => tensor.data<'float32'>()));
    return new Map(names.map((name, i) => [name, values[i]!]));
  } finally {
    tf.dispose(tensors);
  }
}

let reference: Map<string, Float32Array> | undefined;

/**
 * Runs the check on `backendName` and leaves that backend active. Throws when
 * the backend cannot be activated or its numbers differ from the cpu backend's.
 */
export async function selfCheckBackend(backendName: string): Promise<void> {
  if (!reference) {
    if (!(await tf.setBackend('cpu'))) throw new Error('self-check: the cpu backend failed to start');
    reference = await lossAndGradients();
  }
  if (!(await tf.setBackend(backendName))) {
    throw new Error(`self-check: backend '${backendName}' failed to initialise`);
  }
  const actual = await lossAndGradients();
  for (const [name, expected] of reference) {
    const error = relativeError(actual.get(name), expected);
    // Written so that NaN fails too.
    if (!(error <= RELATIVE_TOLERANCE)) {
      throw new Error(
        `self-check: ${name} on '${backendName}' differs from the cpu backend ` +
          `(relative error ${error.toPrecision(3)}, allowed ${RELATIVE_TOLERANCE})`,
      );
    }
  }
}

/** max |a - b| / max |b|; Infinity when the sizes differ. */
function relativeError(actual: Float32Array | undefined, expected: Float32Array): number {
  if (!actual || actual.length !== expected.length) return Infinity;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / Math.max(scale, 1e-12);
}
