import { z } from 'zod';
import { engineChoiceSchema, runConfigSchema, runPlacementSchema, vggBlockSchema } from '../shared/train/run-config';
import { NOTES_MAX_LENGTH, RUN_NAME_MAX_LENGTH, TAG_MAX_LENGTH, TAGS_PER_RUN_MAX } from '../shared/runs/run-limits';
import {
  checkpointRecordSchema,
  datasetStatusSchema,
  engineStatusSchema,
  imageSchema,
  metricPointSchema,
  misclassifiedImageSchema,
  networkSummarySchema,
  presetInfoSchema,
  queueStateSchema,
  replayStateSchema,
  runRecordSchema,
  runStatusSchema,
} from './entities';
import { wireTrainingEventSchema } from './training-event-wire';
import { queueConfigureSchema, queueSettingsSchema, queueTestSchema, queueWorkersSchema } from './queue-workers';
import { sweepRowSchema } from './sweep-rows';
import { insideAnswerSchema, insideRequestSchema } from './inside-schemas';

/**
 * Every method of the workbench API: its name, the request it takes and the
 * response it gives. The service validates requests and responses against
 * these; the clients validate them again on their side.
 * Requests are strict: an unknown field is an error, not silently ignored.
 */
const method = <Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) => ({
  request,
  response,
});
const empty = z.object({}).strict();
const runId = z.string().min(1).max(64);
const runRef = z.object({ runId }).strict();
const replayRef = z.object({ replayId: z.string().min(1) }).strict();
const tag = z.string().trim().min(1).max(TAG_MAX_LENGTH);
/** Never more than a run may hold: a longer list is refused before any of it is looked at. */
const tagList = z.array(tag).max(TAGS_PER_RUN_MAX);
/** Read by prepare-run.ts (a size like 6GB or a share like 60%); the cap only bounds what is parsed. */
const memoryLimit = z.string().trim().min(1).max(32);
const exampleRunsStateSchema = z.object({ available: z.boolean(), shipped: z.array(z.string()), present: z.array(z.string()) });

/** A run as a person states it: the model, and only what they change from its recipe. */
export const runRequestSchema = runConfigSchema.partial().required({ model: true }).strict();

export const runOnSchema = z.enum(['here', 'workers']);
export type RunOn = z.infer<typeof runOnSchema>;

export const startRunSchema = z
  .object({
    config: runRequestSchema,
    tags: tagList.optional(),
    notes: z.string().max(NOTES_MAX_LENGTH).optional(),
    baseline: z.boolean().optional(),
    /** A folder on the service's machine holding the four IDX files; absent: the usual places. Not stored with the run. */
    dataDir: z.string().min(1).optional(),
    /** The memory the run may plan for on the service's machine ("6GB", "60%"); absent: VGG_WORKBENCH_MEMORY_LIMIT, else 70% of RAM. Not stored with the run. */
    memoryLimit: memoryLimit.optional(),
    /** Where it trains: here (the default), or on the workers of the service's Redis queue (`serve --queue`). */
    on: runOnSchema.optional(),
  })
  .strict();

export const runFilterSchema = z
  .object({
    status: z.union([runStatusSchema, z.array(runStatusSchema)]).optional(),
    model: z.string().optional(),
    tag: z.string().optional(),
    baseline: z.boolean().optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export const replaySpeedSchema = z.union([z.number().positive().max(10_000), z.literal('max')]);
const replayState = z.object({ replay: replayStateSchema });
const runResult = z.object({ run: runRecordSchema });

export const API_METHODS = {
  // ---- engines -------------------------------------------------------------
  /** Every engine, usable or not and why; cached after the first probe unless `refresh`. */
  'engines.list': method(
    z.object({ refresh: z.boolean().optional() }).strict(),
    z.object({ engines: z.array(engineStatusSchema) }),
  ),

  /**
   * An engine's training speed on the plans' reference network (VGG-11/8, 32 px, batch 64), measured
   * once in a child process and kept: what every time estimate (plans, baselines) scales from.
   */
  'engines.speed': method(
    z.object({ engine: engineChoiceSchema.optional(), refresh: z.boolean().optional() }).strict(),
    z.object({
      engine: z.string(),
      speed: z.object({ imagesPerSec: z.number().positive(), macsPerImage: z.number().positive() }),
      measuredAt: z.number(),
    }),
  ),

  // ---- dataset ---------------------------------------------------------------
  'dataset.status': method(empty, datasetStatusSchema),
  /** Downloads the four files; progress arrives as `dataset` events. Resolves when done. */
  'dataset.download': method(empty, datasetStatusSchema),
  'dataset.cancelDownload': method(empty, z.object({ cancelled: z.boolean() })),
  /** Checks a folder's four files against the dataset's checksums and copies them into the app's data folder. */
  'dataset.import': method(z.object({ dir: z.string().min(1) }).strict(), datasetStatusSchema),
  /** Images from a split: `indices`, or `count` picked at random (seeded), optionally of one class. */
  'dataset.samples': method(
    z
      .object({
        split: z.enum(['train', 'test']),
        indices: z.array(z.number().int().min(0)).min(1).max(500).optional(),
        count: z.number().int().min(1).max(500).optional(),
        seed: z.number().int().min(0).optional(),
        label: z.number().int().min(0).max(9).optional(),
      })
      .strict(),
    z.object({ classes: z.array(z.string()), images: z.array(imageSchema) }),
  ),

  // ---- models ----------------------------------------------------------------
  'models.presets': method(empty, z.object({ presets: z.array(presetInfoSchema) })),
  /** Shapes, parameters and MACs of any network at any input side; refuses a side the network cannot take. */
  'models.summary': method(
    z
      .object({
        model: z.string().min(1),
        blocks: z.array(vggBlockSchema).optional(),
        widthRatio: z.number().int().min(1).max(64).optional(),
        denseUnits: z.number().int().min(1).max(16384).optional(),
        resize: z.number().int().min(1).max(4096),
        batchSize: z.number().int().min(1).max(4096).optional(),
      })
      .strict(),
    z.object({
      summary: networkSummarySchema,
      minimumSide: z.number().int(),
      /** What a wasm run of it plans to hold on this machine, in the layout it would run (core/engine/wasm/wasm-layout-plan.ts); absent without a batch. */
      plannedMemory: z
        .object({ bytes: z.number(), limitBytes: z.number(), layout: z.string(), limit: z.string() })
        .strict()
        .optional(),
    }),
  ),

  // ---- runs: training ----------------------------------------------------------
  /** Queues one run; it trains when the runs before it are done. */
  'runs.start': method(startRunSchema, runResult),
  /**
   * Continues a stopped run (interrupted, cancelled, failed or completed) from its
   * newest intact checkpoint, in place: points after that epoch are dropped and trained
   * again. `epochs` extends the run beyond its configured epochs; `engine`, `device`,
   * `precision` and `threads` move it elsewhere (a wasm run on to pytorch), checked as a
   * start's are and stored with the run. What it trains (network, recipe, data) stays its own.
   */
  'runs.resume': method(
    z
      .object({
        runId,
        epochs: z.number().int().min(1).max(1000).optional(),
        ...runPlacementSchema.shape,
        dataDir: z.string().min(1).optional(),
        memoryLimit: memoryLimit.optional(),
      })
      .strict(),
    /** `notice`: the newest checkpoint was unusable, and which one the run resumes from instead. */
    runResult.extend({ notice: z.string().optional() }),
  ),
  /** Queues several runs, all or none: one invalid request refuses the lot. */
  'runs.startQueue': method(
    z.object({ runs: z.array(startRunSchema).min(1).max(100) }).strict(),
    z.object({ runs: z.array(runRecordSchema) }),
  ),
  /** Cancels a queued run at once, a running one within a batch (its `done` event follows). */
  'runs.cancel': method(runRef, z.object({ runId: z.string(), was: z.enum(['queued', 'running']) })),
  'runs.queue': method(empty, queueStateSchema),
  /** The workers serving the service's Redis queue (`serve --queue`); none, with the reason, without one. */
  'workers.list': method(empty, queueWorkersSchema),
  /** The Queue panel's Test button: reaches the queue now and says the Redis version and the workers seen. */
  'workers.test': method(empty, queueTestSchema),
  /** The Queue panel's settings; the password is never sent back. */
  'queue.settings': method(empty, queueSettingsSchema),
  /** Saves the desktop app's queue (the password encrypted); refused in serve, whose queue comes from its flags. */
  'queue.configure': method(queueConfigureSchema, queueSettingsSchema),
  /**
   * Every trainer event of a run so far (live or recorded), for a view opened
   * mid-run: subscribe first, then call this, and drop live events of the run
   * whose seq is at most `seq` (they are already in `events`). A run training
   * gives the events since it started; one resumed from a checkpoint, only
   * those since it resumed (what `train --resume` prints), unless `whole`:
   * then its recorded start and points up to the checkpoint come first, so a
   * view draws the run from its first epoch.
   */
  'runs.events': method(
    z.object({ runId, whole: z.boolean().optional() }).strict(),
    z.object({ events: z.array(wireTrainingEventSchema), seq: z.number().int().min(-1) }),
  ),

  // ---- runs: the record ----------------------------------------------------------
  'runs.list': method(
    z.object({ filter: runFilterSchema.optional() }).strict(),
    z.object({ runs: z.array(runRecordSchema) }),
  ),
  /** Settings, costs and final outcomes of the given runs, of a tag's runs, or of every run, in one summary query: the sweep view. */
  'runs.sweep': method(
    z.object({ runIds: z.array(runId).max(10_000).optional(), tag: tag.optional() }).strict(),
    z.object({ rows: z.array(sweepRowSchema) }),
  ),
  'runs.get': method(
    runRef,
    z.object({
      run: runRecordSchema,
      checkpoints: z.array(checkpointRecordSchema),
      hasConfusion: z.boolean(),
    }),
  ),
  /** Recorded metric points in recorded order, optionally only some keys (`epoch.test_acc`). */
  'runs.metrics': method(
    z.object({ runId, keys: z.array(z.string()).max(50).optional() }).strict(),
    z.object({ points: z.array(metricPointSchema) }),
  ),
  'runs.tag': method(
    z.object({ runId, add: tagList.optional(), remove: tagList.optional() }).strict(),
    runResult,
  ),
  'runs.rename': method(z.object({ runId, name: z.string().trim().min(1).max(RUN_NAME_MAX_LENGTH) }).strict(), runResult),
  /** Deletes a run that is not queued or training, with its checkpoint files. */
  'runs.delete': method(runRef, z.object({ deletedFiles: z.array(z.string()) })),
  /**
   * The file to save, a page at a time: `json` (everything, re-importable) or
   * `csv` (metric points). Each run once, however often it is named. While the
   * reply has `next`, call again with it as `cursor` (same runIds and format)
   * and append: the pieces in order are the file. Each page is a bounded piece
   * of work; an export past EXPORT_MAX_POINTS in all is refused as `too-large`.
   */
  'runs.export': method(
    z
      .object({
        runIds: z.array(runId).min(1).max(1000),
        format: z.enum(['json', 'csv']),
        cursor: z.string().min(1).max(1000).optional(),
      })
      .strict(),
    z.object({ fileName: z.string(), mimeType: z.string(), content: z.string(), next: z.string().optional() }),
  ),
  /**
   * Imports a `json` export, all runs or none, in file order, each under its
   * own id (a file with an id already here is refused). Checkpoints never
   * travel: `notice` says so when the file listed some.
   */
  'runs.import': method(
    z.object({ content: z.string().min(1) }).strict(),
    z.object({
      runs: z.array(z.object({ id: z.string(), name: z.string(), withoutWeights: z.boolean() })),
      notice: z.string().optional(),
    }),
  ),

  // ---- example runs -------------------------------------------------------------------
  /** The chapter's runs shipped with the app (resources/examples): whether there are any, and which this database holds. */
  'examples.status': method(empty, exampleRunsStateSchema),
  /** Imports the shipped example runs this database lacks, in one transaction. */
  'examples.open': method(empty, exampleRunsStateSchema),
  /** Deletes the example runs (shipped id and the example tag), never a user's own run. */
  'examples.remove': method(empty, exampleRunsStateSchema.extend({ removed: z.array(z.string()) })),

  // ---- runs: results ----------------------------------------------------------------
  /** The test-set confusion matrix of the last epoch: rows true classes, columns predictions. */
  'runs.confusion': method(
    runRef,
    z.object({ classes: z.array(z.string()), matrix: z.array(z.array(z.number().int().min(0))) }),
  ),
  /**
   * Test images the run's final model got wrong. Needs per-image predictions:
   * when they cannot be had, `available` is false and `reason` says what is missing.
   */
  'runs.misclassified': method(
    z.object({ runId, limit: z.number().int().min(1).max(500).optional() }).strict(),
    z.discriminatedUnion('available', [
      z.object({
        available: z.literal(true),
        classes: z.array(z.string()),
        /** Test images the predictions cover (the run's test limit). */
        evaluated: z.number().int(),
        wrong: z.number().int(),
        images: z.array(misclassifiedImageSchema),
      }),
      z.object({ available: z.literal(false), reason: z.string() }),
    ]),
  ),

  /** A completed run's network looked into with one image: first conv filters, feature maps per block, top-5 classes. */
  'runs.inside': method(insideRequestSchema, insideAnswerSchema),

  // ---- replay ---------------------------------------------------------------------------
  /** Opens a replay of a recorded run, paused at its start; its events arrive on the `replay` topic. */
  'replay.open': method(z.object({ runId, speed: replaySpeedSchema.optional() }).strict(), replayState),
  'replay.play': method(replayRef, replayState),
  'replay.pause': method(replayRef, replayState),
  /** To a global batch step, a fraction (0..1) of the recorded duration, or an event count. Backwards emits `reset` first. */
  'replay.seek': method(
    z
      .object({
        replayId: z.string().min(1),
        target: z.union([
          z.object({ step: z.number().int().min(0) }).strict(),
          z.object({ fraction: z.number().min(0).max(1) }).strict(),
          z.object({ event: z.number().int().min(0) }).strict(),
        ]),
      })
      .strict(),
    replayState,
  ),
  'replay.setSpeed': method(
    z.object({ replayId: z.string().min(1), speed: replaySpeedSchema }).strict(),
    replayState,
  ),
  'replay.close': method(replayRef, z.object({ closed: z.boolean() })),
};

export type ApiMethods = typeof API_METHODS;
export type ApiMethod = keyof ApiMethods;
/** What a caller passes (defaults may be left out). */
export type ApiRequest<M extends ApiMethod> = z.input<ApiMethods[M]['request']>;
/** What a handler receives, after validation. */
export type ApiParsedRequest<M extends ApiMethod> = z.output<ApiMethods[M]['request']>;
export type ApiResult<M extends ApiMethod> = z.output<ApiMethods[M]['response']>;

export const API_METHOD_NAMES = Object.keys(API_METHODS) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(API_METHODS, name);
}
