import { findPreset } from '../models/presets';
import { BOOK_DENSE_UNITS } from '../models/vgg';
import type { EngineChoice, RunConfigInput } from '../train/run-config';

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
  /** The book's `channels // ratio` for the VGGs (and AlexNet, which takes one too). */
  widthRatio: number;
  /** Width of the hidden dense layers of the VGGs and AlexNet (the paper's 4096). */
  denseUnits: number;
  /** Image side for plans that train at one size; plan 3 fixes its own two. */
  resize: number;
  trainLimit: number;
  testLimit: number;
  /** Initialisation, shuffling and dropout: the notes quote runs of this seed. */
  seed: number;
  engine: EngineChoice;
}

/** `quick` fits a 2-core CPU (about half an hour a plan); `book` is the chapter's settings, for a GPU. */
export const PLAN_BUDGETS = ['quick', 'book'] as const;
export type PlanBudget = (typeof PLAN_BUDGETS)[number];

export interface PlanBudgetRow {
  defaults: PlanSettings;
  /** Why these settings, and what they measured (quoted from `vgg-workbench train`, never rounded up). */
  note: string;
  /**
   * Shown above the note where the measured runs do not show the exercise's
   * lesson at this budget, so no one reads a misleading result as the chapter's.
   */
  caveat?: string;
}

export interface PlannedRun {
  model: string;
  resize: number;
  /** LeNet and AlexNet runs are recorded as baselines, so Compare pins them. */
  baseline: boolean;
  /**
   * The paper's warm start: the index of an earlier run of this plan whose
   * checkpoint seeds every layer of matching name and shape.
   */
  initFrom?: number;
}

export interface ExperimentPlan {
  id: string;
  title: string;
  /** The chapter's exercise, and what the runs answer. */
  question: string;
  /** False where the plan's point is the image size itself. */
  sharedResize: boolean;
  budgets: Record<PlanBudget, PlanBudgetRow>;
  runs(settings: PlanSettings): PlannedRun[];
}

/** A run request as `runs.start` takes it (the API's schema checks it; this folder cannot import the API). */
export interface PlanRunRequest {
  config: Partial<RunConfigInput> & { model: string };
  tags: string[];
  notes: string;
  baseline?: boolean;
}

const VGG_DEPTHS = ['vgg11', 'vgg13', 'vgg16', 'vgg19'];

/**
 * AlexNet's 11×11 stride-4 first layer and three 3×3 stride-2 pools need at
 * least 67 px; below that it trains at 96, the chapter's VGG size.
 */
const ALEXNET_SIDE = 96;
const alexnetSide = (side: number): number => (side >= 67 ? side : ALEXNET_SIDE);

/** The chapter's settings, for a GPU: full width, 4096 dense units, 96 px, the book's lr, the full data. */
/** What the warm-start plan's quick budget measured (the shipped example runs; docs/first-hour.md has the layer statistics). */
const WARM_START_QUICK_NOTE =
  'Width 1/8, 512 dense units, 32 px, all 60,000 training and 10,000 test images, 2 epochs, batch 64, lr 0.02, momentum 0.9. ' +
  'Measured with `vgg-workbench train --engine pytorch` on 2 shared CPU cores, seeds 1 and 2 (the example runs), test accuracy after epoch 0 and 1: ' +
  'VGG-11 0.8079, 0.8261 and 0.8090, 0.8510; VGG-19 from random weights 0.1, 0.1 with both seeds (loss 2.304 throughout); ' +
  'VGG-19 initialised from that VGG-11: seed 1 0.1, 0.1, seed 2 0.2005, 0.8356. A third try (seed 1, its VGG-11 trained on one thread: 0.8222) gave 0.1, 0.1 cold and 0.7864, 0.8278 warm. ' +
  'The Layers tab shows why: cold, block1_conv1’s gradient is 3e-5 to 5e-5 at step 0 against VGG-11’s 4e-3 to 7e-3, and falls to 3e-7 to 3e-6 by the end, so the first layers never move (vanishing); ' +
  'warm, it starts at 3.3e-3, as VGG-11’s. The warm seed-1 run failed differently: its first steps tripled block1_conv1’s weights (norm 2.8 to 7.2), and from step 722 the gradient of 15 of its 16 conv layers (all below block5_conv4) was exactly 0, with 87 % of block1’s ReLU outputs zero (dead units). ' +
  'So a warm start is no guarantee at this budget: cold VGG-19 stayed at chance in 3 of 3 tries, warm VGG-19 left it in 2 of 3. Run it with several seeds before reading one run.';

const BOOK: PlanSettings = {
  epochs: 10,
  batchSize: 64,
  lr: 0.05,
  momentum: 0,
  widthRatio: 1,
  denseUnits: BOOK_DENSE_UNITS,
  resize: 96,
  trainLimit: 60000,
  testLimit: 10000,
  seed: 1,
  engine: 'auto',
};

/**
 * The three exercises at the end of the VGG chapter, each a queue of runs,
 * then the paper's warm start (issue 32: what the Layers tab shows).
 * The quick budgets train on all 60,000 images: cutting the data (not the
 * resolution) is what made the earlier 2,000-image plans teach the opposite
 * of the chapter. Their notes quote what `vgg-workbench train` measured on
 * the project's 2-core machine (wasm engine).
 */
export const EXPERIMENT_PLANS: readonly ExperimentPlan[] = [
  {
    id: 'vgg-vs-baselines',
    title: 'VGG-11 against LeNet and AlexNet',
    question:
      'Exercise 1: over several epochs, does the deeper VGG-11 beat LeNet and AlexNet on the same images, and what does each epoch cost?',
    sharedResize: true,
    budgets: {
      quick: {
        defaults: { epochs: 2, batchSize: 64, lr: 0.01, momentum: 0.9, widthRatio: 8, denseUnits: 512, resize: 32, trainLimit: 60000, testLimit: 10000, seed: 1, engine: 'auto' },
        note:
          'All 60,000 training and 10,000 test images, 2 epochs, one recipe: batch 64, lr 0.01, momentum 0.9, seed 1. VGG-11 and AlexNet at width 1/8 with 512 dense units; VGG-11 and LeNet at 32 px, AlexNet at 96 (its 11×11 stride-4 stem needs at least 67). Measured with `vgg-workbench train` on 2 shared CPU cores (wasm), test accuracy after epoch 0 and 1: VGG-11 0.7866, 0.8208; LeNet 0.8434, 0.8515; AlexNet 0.8018, 0.8368. Seconds per epoch were 104.9 and 176.3 (VGG-11), 223.7 and 267.3 (LeNet), 401.1 and 183.0 (AlexNet), inflated by other jobs on the same cores, so they do not rank the networks’ cost. Also tried with the same recipe: VGG-11 at width 1/4 reached 0.781, then 0.8299 (still below LeNet); the sigmoid LeNet-5 reached 0.1, then 0.553 (below VGG-11, but it is a weaker baseline far from its own recipe, lr 0.9).',
        caveat:
          'At this CPU budget the chapter’s lesson does not show: after 2 epochs LeNet (0.8515) and AlexNet (0.8368) end above VGG-11 (0.8208). The narrow VGG underfits in 2 epochs; use the book budget on a GPU to see VGG win.',
      },
      book: {
        defaults: BOOK,
        note: 'The chapter’s VGG-11 (96 px, full width, 4096 dense units, lr 0.05, batch 64) beside LeNet and the book’s AlexNet on the same 96 px images and recipe, 10 epochs on all 60,000 images. Sized for a GPU: on a CPU one VGG-11 epoch takes hours.',
      },
    },
    runs: (s) => [
      { model: 'vgg11', resize: s.resize, baseline: false },
      { model: 'lenet', resize: s.resize, baseline: true },
      { model: 'alexnet', resize: alexnetSide(s.resize), baseline: true },
    ],
  },
  {
    id: 'vgg-depths',
    title: 'VGG-11, 13, 16 and 19 side by side',
    question:
      'Exercise 2: the paper’s configurations A, B, D and E differ only in convolutions per block. Does depth pay off here, how much slower is each, and does the paper’s warm start (D and E initialised from a trained A) help?',
    sharedResize: true,
    budgets: {
      quick: {
        defaults: { epochs: 1, batchSize: 64, lr: 0.02, momentum: 0.9, widthRatio: 8, denseUnits: 512, resize: 32, trainLimit: 10000, testLimit: 10000, seed: 1, engine: 'auto' },
        note:
          'Width 1/8, 512 dense units, 32 px, 10,000 training and 10,000 test images, 1 epoch (157 steps), batch 64, lr 0.02, momentum 0.9, seed 1. Measured with `vgg-workbench train` on 2 shared CPU cores (wasm): VGG-11 test 0.5203 (53.4 s); VGG-19 from random weights 0.1 (loss 2.303); VGG-19 initialised from that VGG-11 also 0.1 (loss 2.307). Other attempts, same settings except as said: at lr 0.05 one VGG-11 reached 0.5908, and a VGG-19 warm-started from it reached 0.3859 once and 0.1 on a repeat, while cold VGG-19 stayed at 0.1; running this plan at lr 0.05 left all six runs, VGG-11 included, at 0.100 (VGG-11’s batch accuracy peaked at 0.3594 at step 60, then fell back to chance). A VGG-19 warm-started from the 0.5908 VGG-11 at lr 0.02 reached 0.4541. Multi-threaded training is not bit-for-bit repeatable, and at this budget the outcome swings with it. VGG-13 and VGG-16 were not measured apart from that plan run.',
        caveat:
          'At this CPU budget the plan does not reliably show its lessons: every cold VGG-19 stayed at chance (0.1), but the warm start got it off chance in only 2 of 4 measured attempts (0.3859 and 0.4541), and never above VGG-11. Treat one run as an anecdote; the book budget on a GPU is the real test.',
      },
      book: {
        defaults: { ...BOOK, epochs: 1 },
        note: 'The chapter’s recipe (96 px, full width, 4096 dense units, lr 0.05, batch 64, 1 epoch) for the four depths, then VGG-16 and VGG-19 again initialised from the VGG-11 run, as the paper trained D and E from A. Sized for a GPU.',
      },
    },
    runs: (s) => [
      ...VGG_DEPTHS.map((model) => ({ model, resize: s.resize, baseline: false })),
      // Index 0 is the VGG-11 above: its checkpoint seeds the two deepest configurations.
      { model: 'vgg16', resize: s.resize, baseline: false, initFrom: 0 },
      { model: 'vgg19', resize: s.resize, baseline: false, initFrom: 0 },
    ],
  },
  {
    id: 'vgg-resolution',
    title: 'The same VGG-11 at 96 and at 224 pixels',
    question:
      'Exercise 3: Fashion-MNIST is 28×28; upsampling to 224 as ImageNet models expect costs about 5× the compute of 96. Does it buy accuracy?',
    sharedResize: false,
    budgets: {
      quick: {
        defaults: { epochs: 2, batchSize: 64, lr: 0.05, momentum: 0.9, widthRatio: 16, denseUnits: 256, resize: 96, trainLimit: 2000, testLimit: 500, seed: 0, engine: 'auto' },
        note:
          'VGG-11 at width 1/16 with 256 dense units, 2,000 training and 500 test images, 2 epochs, batch 64, lr 0.05, momentum 0.9, seed 0. Measured with `vgg-workbench plans run vgg-resolution` on 2 CPU cores (wasm) shared with other jobs (load average about 15), so the seconds are inflated but their ratio holds: 46.0 and 46.1 s per epoch at 96 px, 195.8 and 145.9 s at 224 px (3.7× on average); test accuracy after epoch 0 and 1: 0.09, 0.52 at 96 px and 0.37, 0.53 at 224 px. The cost of 224 px shows; its benefit cannot at this budget.',
        caveat:
          'At this CPU budget the two sizes end level (0.52 and 0.53), on too few images to tell whether 224 px buys accuracy: it shows the cost only. Use the book budget on a GPU for the accuracy question.',
      },
      book: {
        defaults: { ...BOOK, epochs: 1 },
        note: 'The chapter’s VGG-11 (full width, 4096 dense units, lr 0.05, batch 64, 1 epoch on all 60,000 images) at 96 and at 224 px. Sized for a GPU.',
      },
    },
    runs: () => [
      { model: 'vgg11', resize: 96, baseline: false },
      { model: 'vgg11', resize: 224, baseline: false },
    ],
  },
  {
    id: 'vgg-warm-start',
    title: 'Why the paper warm-started: VGG-19 cold and from a trained VGG-11',
    question:
      'The VGG paper trained its deepest nets (D and E) from a trained shallow one (A), because, it says, deep nets trained from random weights stalled. Does a VGG-19 learn here from random weights, does it when it starts from a trained VGG-11, and what do its layer statistics (Layers tab) show?',
    sharedResize: true,
    budgets: {
      quick: {
        defaults: { epochs: 2, batchSize: 64, lr: 0.02, momentum: 0.9, widthRatio: 8, denseUnits: 512, resize: 32, trainLimit: 60000, testLimit: 10000, seed: 1, engine: 'auto' },
        // No caveat: the lesson shows (cold VGG-19 never learned here); how reliably, the note says.
        note: WARM_START_QUICK_NOTE,
      },
      book: {
        defaults: { ...BOOK, epochs: 2 },
        note: 'The chapter’s recipe (96 px, full width, 4096 dense units, lr 0.05, plain SGD, batch 64) for 2 epochs on all 60,000 images: VGG-11, then VGG-19 from random weights and VGG-19 initialised from that VGG-11. Sized for a GPU.',
      },
    },
    runs: (s) => [
      { model: 'vgg11', resize: s.resize, baseline: false },
      { model: 'vgg19', resize: s.resize, baseline: false },
      // Index 0 is the VGG-11 above: the paper's configuration A seeding E.
      { model: 'vgg19', resize: s.resize, baseline: false, initFrom: 0 },
    ],
  },
];

export const PLAN_IDS: readonly string[] = EXPERIMENT_PLANS.map((plan) => plan.id);

/** The plan with this id, or an Error that lists the valid ones. */
export function findPlan(id: string): ExperimentPlan {
  const plan = EXPERIMENT_PLANS.find((p) => p.id === id);
  if (!plan) throw new Error(`unknown plan "${id}": choose one of ${PLAN_IDS.join(', ')}`);
  return plan;
}

/** Networks whose width a plan's width ratio and dense units shape; LeNet has none to shape. */
function takesWidth(model: string): boolean {
  const preset = findPreset(model);
  return preset.family === 'vgg' || preset.scalable === true;
}

/**
 * The plan's runs as requests for `runs.startQueue`, tagged with the plan's id.
 * A warm start names its source as `#N`, the N-th request of the same queue,
 * which the service turns into that run's id once the queue is created.
 */
export function planRequests(plan: ExperimentPlan, settings: PlanSettings): PlanRunRequest[] {
  return plan.runs(settings).map((run) => {
    const widthless = findPreset(run.model).family === 'fixed' && settings.widthRatio === 1 && settings.denseUnits === BOOK_DENSE_UNITS;
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
        seed: settings.seed,
        engine: settings.engine,
        // At ratio 1 and 4096 units AlexNet is the book's own: leave it unscaled, so it is named so.
        ...(takesWidth(run.model) && !widthless ? { widthRatio: settings.widthRatio, denseUnits: settings.denseUnits } : {}),
        ...(run.initFrom !== undefined ? { initFrom: `#${run.initFrom}` } : {}),
      },
      tags: [`plan:${plan.id}`, ...(run.initFrom !== undefined ? ['warm-start'] : [])],
      notes: plan.question,
      ...(run.baseline ? { baseline: true } : {}),
    };
  });
}
