import { findPreset } from '../../../src-main/shared/models/presets';
import type { EngineChoice } from '../../../src-main/shared/train/run-config';
import type { StartRunRequest } from './run-request';

/** The settings a plan shares across its runs; the Plans view lets each be edited before queueing. */
export interface PlanSettings {
  epochs: number;
  /**
   * One training recipe for every run of a plan, so the runs differ only in
   * the network (or the image size): the exercise's question.
   */
  batchSize: number;
  lr: number;
  momentum: number;
  /** The book's `channels // ratio` for the VGGs. */
  widthRatio: number;
  /** Width of the VGGs' two hidden dense layers (the paper's 4096). */
  denseUnits: number;
  /** Image side for plans that train at one size; plan 3 fixes its own two. */
  resize: number;
  trainLimit: number;
  testLimit: number;
  engine: EngineChoice;
}

export interface PlannedRun {
  model: string;
  resize: number;
  /** LeNet and AlexNet runs are recorded as baselines, so Compare pins them. */
  baseline: boolean;
}

export interface ExperimentPlan {
  id: string;
  title: string;
  /** The chapter's exercise, and what the runs answer. */
  question: string;
  /** Why the defaults are what they are (a CPU, not the book's GPU). */
  note: string;
  /** False where the plan's point is the image size itself. */
  sharedResize: boolean;
  defaults: PlanSettings;
  runs(settings: PlanSettings): PlannedRun[];
}

const VGG_DEPTHS = ['vgg11', 'vgg13', 'vgg16', 'vgg19'];

/**
 * The three exercises at the end of the VGG chapter, each a queue of runs.
 * Defaults are sized for a 2-core CPU (minutes per run, not hours): narrow VGGs
 * (width ratio, smaller dense layers) and subsets of Fashion-MNIST, with
 * momentum 0.9 so that a few hundred steps get past chance (the book's plain
 * SGD left VGG-11 at loss 2.30 after an epoch of 2,000 images). The notes
 * quote what these defaults measured with `vgg-workbench train` on the
 * project's 2-core machine. On a GPU, set the width ratio to 1, dense units
 * to 4096 and raise the limits.
 */
export const EXPERIMENT_PLANS: readonly ExperimentPlan[] = [
  {
    id: 'vgg-vs-baselines',
    title: 'VGG-11 against LeNet and AlexNet',
    question:
      'Exercise 1: over several epochs, does the deeper VGG-11 beat LeNet and AlexNet on the same images, and what does each epoch cost?',
    note:
      'All three see the same images at 96 px (AlexNet needs at least 67 px; the book trains it at 224) and train with one recipe: batch 64, lr 0.02, momentum 0.9. At lr 0.05 AlexNet stayed at chance for 2 epochs, and LeNet’s own recipe (lr 0.5, batch 256) diverges at 96 px. VGG-11 at width 1/8 with 512 dense units, 2,000 training and 500 test images, 3 epochs. Measured on 2 CPU cores (wasm), seconds per epoch: VGG-11 38–41, LeNet 67–79, AlexNet 138–155; after 3 epochs test accuracy 0.57 (VGG-11), 0.81 (LeNet), 0.54 (AlexNet): in under 100 steps the small network wins.',
    sharedResize: true,
    defaults: { epochs: 3, batchSize: 64, lr: 0.02, momentum: 0.9, widthRatio: 8, denseUnits: 512, resize: 96, trainLimit: 2000, testLimit: 500, engine: 'auto' },
    runs: (s) => [
      { model: 'vgg11', resize: s.resize, baseline: false },
      { model: 'lenet', resize: s.resize, baseline: true },
      { model: 'alexnet', resize: s.resize, baseline: true },
    ],
  },
  {
    id: 'vgg-depths',
    title: 'VGG-11, 13, 16 and 19 side by side',
    question:
      'Exercise 2: the paper’s configurations A, B, D and E differ only in convolutions per block. Does depth pay off here, and how much slower is each?',
    note:
      'At 32 px, the smallest side five pools allow, width 1/8 and 512 dense units, 10,000 training and 500 test images, 2 epochs, batch 64, lr 0.05, momentum 0.9. Measured on 2 CPU cores (wasm): VGG-11 28–29 s per epoch and 0.67 test accuracy after 2 epochs; VGG-19 50–55 s per epoch and still at chance (0.10). Plain deep VGGs are hard to start from random weights: the paper trained D and E from a trained A. The book uses 96 px: raise it on a GPU.',
    sharedResize: true,
    defaults: { epochs: 2, batchSize: 64, lr: 0.05, momentum: 0.9, widthRatio: 8, denseUnits: 512, resize: 32, trainLimit: 10000, testLimit: 500, engine: 'auto' },
    runs: (s) => VGG_DEPTHS.map((model) => ({ model, resize: s.resize, baseline: false })),
  },
  {
    id: 'vgg-resolution',
    title: 'The same VGG-11 at 96 and at 224 pixels',
    question:
      'Exercise 3: Fashion-MNIST is 28×28; upsampling to 224 as ImageNet models expect costs about 5× the compute of 96. Does it buy accuracy?',
    note:
      'VGG-11 at width 1/16 with 256 dense units, 2,000 training and 500 test images, 2 epochs, batch 64, lr 0.05, momentum 0.9. Measured on 2 CPU cores (wasm): 13–17 s per epoch at 96 px, 86–92 s at 224 px, and 0.54 test accuracy after 2 epochs at both.',
    sharedResize: false,
    defaults: { epochs: 2, batchSize: 64, lr: 0.05, momentum: 0.9, widthRatio: 16, denseUnits: 256, resize: 96, trainLimit: 2000, testLimit: 500, engine: 'auto' },
    runs: () => [
      { model: 'vgg11', resize: 96, baseline: false },
      { model: 'vgg11', resize: 224, baseline: false },
    ],
  },
];

/** The plan's runs as requests for `runs.startQueue`, tagged with the plan's id. */
export function planRequests(plan: ExperimentPlan, settings: PlanSettings): StartRunRequest[] {
  return plan.runs(settings).map((run) => {
    // Width ratio and dense units shape a VGG's blocks; the fixed networks have none to shape.
    const isVgg = findPreset(run.model).family === 'vgg';
    return {
      config: {
        model: run.model,
        resize: run.resize,
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        lr: settings.lr,
        momentum: settings.momentum,
        trainLimit: settings.trainLimit,
        testLimit: settings.testLimit,
        engine: settings.engine,
        ...(isVgg ? { widthRatio: settings.widthRatio, denseUnits: settings.denseUnits } : {}),
      },
      tags: [`plan:${plan.id}`],
      notes: plan.question,
      ...(run.baseline ? { baseline: true } : {}),
    };
  });
}
