import type { NetworkChoice } from '../../shared/models/presets';

/**
 * The benchmark's workloads: the same networks, image sides, batches and step
 * counts as WORKLOADS in the PyTorch yardstick (bench/pytorch_reference.py),
 * so the two throughputs can be divided. Data is random, as there; the
 * step is SGD lr 0.05 on softmax cross-entropy, as there.
 */
export interface BenchWorkload {
  /** The yardstick's name for it; the key that joins our numbers to PyTorch's. */
  name: string;
  network: NetworkChoice;
  /** Square image side, one channel. */
  side: number;
  batchSize: number;
  /** Timed steps, after one untimed warm-up step. */
  steps: number;
  /** What the Python builds, in words. */
  description: string;
  /** False: measured only when named (--workload), as a CPU engine would take minutes a step. */
  byDefault?: false;
}

/** The yardstick's `torch.optim.SGD(model.parameters(), lr=0.05)`. */
export const BENCH_LR = 0.05;

export const WORKLOADS: readonly BenchWorkload[] = [
  {
    name: 'lenet-28-b256',
    // The Python's lenet(): sigmoid, average pooling, pad 2 on the first 5×5 conv.
    network: { model: 'lenet5' },
    side: 28,
    batchSize: 256,
    steps: 20,
    description: 'LeNet-5 (sigmoid, average pooling), 28×28, batch 256',
  },
  {
    name: 'vgg11-w0.25-32-b64',
    // vgg(VGG11, 32, 0.25) scales the channels AND the hidden dense width:
    // round(64 × 0.25) = 64 // 4 for every VGG-11 block, round(4096 × 0.25) = 1024.
    network: { model: 'vgg11', widthRatio: 4, denseUnits: 1024 },
    side: 32,
    batchSize: 64,
    steps: 10,
    description: 'VGG-11, channels × 0.25, dense 1024, 32×32, batch 64',
  },
  {
    name: 'vgg11-96-b64',
    // The chapter's own run: full VGG-11 with dense 4096 on 96×96.
    network: { model: 'vgg11' },
    side: 96,
    batchSize: 64,
    steps: 2,
    description: "the chapter's VGG-11, 96×96, batch 64",
  },
  {
    name: 'vgg11-r4-224-b128',
    // The book's own run (d2l 8.2.3): channels // 4 (ratio = 4), dense 4096 kept, 224×224, batch 128.
    network: { model: 'vgg11', widthRatio: 4 },
    side: 224,
    batchSize: 128,
    steps: 5,
    // A GPU's workload (the device kit names it): a CPU engine takes minutes a step.
    byDefault: false,
    description: "the book's VGG-11, channels ÷ 4, 224×224, batch 128",
  },
];

export const WORKLOAD_NAMES: readonly string[] = WORKLOADS.map((w) => w.name);

/** What `bench` measures when no --workload is named. */
export const DEFAULT_WORKLOAD_NAMES: readonly string[] = WORKLOADS.filter((w) => w.byDefault !== false).map((w) => w.name);

/** The workload with this name, or an Error that lists the valid ones. */
export function findWorkload(name: string): BenchWorkload {
  const workload = WORKLOADS.find((w) => w.name === name);
  if (workload === undefined) throw new Error(`unknown workload "${name}": choose from ${WORKLOAD_NAMES.join(', ')}`);
  return workload;
}
