import type { RunConfig } from '../shared/train/run-config';
import { ApiError, type ApiEnvelope } from '../api/api-error';
import type { EngineStatusInfo } from '../api/entities';
import type { WorkbenchEvent } from '../api/events';
import type { ApiMethod, ApiParsedRequest, ApiRequest, ApiResult } from '../api/methods';
import type { WorkbenchApi, WorkbenchEventListener } from '../api/workbench-api';
import { FASHION_MNIST_CLASSES } from '../core/data/fashion-mnist';
import { resolveNetwork } from '../shared/models/presets';
import { InputTooSmallError, minimumInputSide, summarizeNetwork } from '../shared/models/summary';
import { exportRunsJson, importRuns, metricsCsv, WITHOUT_WEIGHTS_NOTICE } from '../core/store/export-import';
import { recordedEvents } from '../core/store/replay';
import { RunStore, type RunStoreOptions } from '../core/store/run-store';
import { TrainingWorkerHost } from '../worker/training-worker-host';
import { DatasetManager } from './dataset-manager';
import { dispatchApiCall, type ApiHandlers } from './dispatch';
import { probeEnginesInChildProcess } from './engine-probe';
import { EventHub } from './event-hub';
import { Misclassified, type PredictionSource } from './misclassified';
import { prepareRun, type PreparedRun } from './prepare-run';
import { presetInfos } from './preset-infos';
import { ReplaySessions } from './replay-sessions';
import { RunQueue, type CheckpointPolicy } from './run-queue';
import { inputTooSmall } from './to-api-error';
import type { ServiceEndpoint } from './service-endpoint';
import type { WorkerHostLike } from './worker-host-like';
import { errorMessage } from '../shared/error-message';
import { linkQueue, type QueueLinkHandle } from './queue-runs';

export interface ExperimentServiceOptions {
  store: RunStore;
  /** The app's data folder (Electron's userData): dataset downloads, checkpoints. */
  dataDir: string;
  /** Defaults to the final epoch's only: what the results views need, without a VGG's 0.5 GB per epoch. */
  checkpointPolicy?: CheckpointPolicy;
  /** The training worker's entry, for bundles (electron-vite); from source the host finds its .ts sibling. */
  workerPath?: string | URL;
  /** Replaces the worker host altogether (tests of failure paths). */
  createWorkerHost?: () => WorkerHostLike;
  /** Defaults to a probe in a child process (see engine-probe-entry.ts for why not here). */
  probeEngines?: () => Promise<EngineStatusInfo[]>;
  /** Per-image test predictions from a run's checkpoint; defaults to a prediction worker. */
  predictions?: PredictionSource;
  /** Where Debian's Fashion-MNIST package would be (tests point it elsewhere). */
  systemDatasetDir?: string;
  /** Mirror for dataset downloads (tests serve one locally). */
  datasetBaseUrl?: string;
  /** A background failure nobody awaits (a store write on a timer); defaults to console.error. */
  onError?: (error: unknown) => void;
  /** A Redis queue (redis://…) whose runs launched from this database are caught up with at open; absent: no Redis. */
  queueUrl?: string;
}

export interface OpenServiceOptions extends Omit<ExperimentServiceOptions, 'store'> {
  databasePath: string;
  storeOptions?: RunStoreOptions;
}

/**
 * The main process's one service: it owns the run store, the experiment
 * queue with its long-lived training worker, replays and the dataset, and
 * serves the workbench API (methods.ts) to every transport through
 * `dispatch`. Every event goes to every subscriber. It is also a
 * WorkbenchApi itself, for callers in the same process.
 */
export class ExperimentService implements WorkbenchApi, ServiceEndpoint {
  readonly store: RunStore;
  private readonly hub: EventHub;
  private readonly queue: RunQueue;
  private readonly dataset: DatasetManager;
  private readonly replays: ReplaySessions;
  private readonly misclassified: Misclassified;
  private readonly probe: () => Promise<EngineStatusInfo[]>;
  private engines: Promise<EngineStatusInfo[]> | undefined;
  private readonly handlers: ApiHandlers;
  private closed = false;
  private readonly queueLink: QueueLinkHandle | undefined;

  constructor(options: ExperimentServiceOptions) {
    const onError = options.onError ?? ((error: unknown) => console.error('experiment service:', error));
    this.store = options.store;
    this.hub = new EventHub(onError);
    this.dataset = new DatasetManager({
      dataDir: options.dataDir,
      hub: this.hub,
      systemDir: options.systemDatasetDir,
      baseUrl: options.datasetBaseUrl,
    });
    this.queue = new RunQueue({
      store: this.store,
      hub: this.hub,
      createHost: options.createWorkerHost ?? (() => new TrainingWorkerHost(options.workerPath)),
      datasetDir: () => {
        const location = this.dataset.locate();
        return location.kind === 'found' ? location.dir : undefined;
      },
      checkpointPolicy: options.checkpointPolicy ?? 'last',
      onError,
    });
    this.replays = new ReplaySessions(this.store, this.hub);
    this.misclassified = new Misclassified(this.store, this.dataset, options.predictions);
    this.probe = options.probeEngines ?? (() => probeEnginesInChildProcess());
    this.handlers = this.buildHandlers();
    this.queueLink = options.queueUrl === undefined ? undefined : linkQueue(options.queueUrl, this.store, this.hub, onError);
  }

  static open(options: OpenServiceOptions): ExperimentService {
    const { databasePath, storeOptions, ...rest } = options;
    return new ExperimentService({ ...rest, store: RunStore.open(databasePath, storeOptions) });
  }

  /** For transports: validates everything, never throws, answers with an envelope. */
  dispatch(method: unknown, request: unknown): Promise<ApiEnvelope> {
    if (this.closed) {
      return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'the workbench is shutting down' } });
    }
    return dispatchApiCall(this.handlers, method, request);
  }

  async call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResult<M>> {
    const envelope = await this.dispatch(method, request);
    if (!envelope.ok) throw ApiError.fromBody(envelope.error);
    return envelope.result as ApiResult<M>;
  }

  subscribe(listener: WorkbenchEventListener): () => void {
    return this.hub.subscribe(listener);
  }

  /** Resolves once no run is queued or training (tests, scripted queues). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Cancels queued runs, stops the running one (briefly waited for) and the worker, closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dataset.cancelFetch();
    this.replays.closeAll();
    await this.queue.close();
    await this.queueLink?.close();
    await this.misclassified.close();
    this.store.close();
  }

  private emit(event: Parameters<EventHub['emit']>[0]): WorkbenchEvent {
    return this.hub.emit(event);
  }

  private startRuns(prepared: { run: PreparedRun; request: ApiParsedRequest<'runs.start'> }[]) {
    prepared.forEach(({ run }, i) => this.checkInitFrom(run.config, i, prepared.length > 1 ? `runs.${i}.` : ''));
    const ids = this.store.transaction(() => {
      const created: string[] = [];
      for (const { run, request } of prepared) {
        // `#N` names an earlier run of this queue, whose id exists only now.
        const initFrom = run.config.initFrom;
        const config = initFrom?.startsWith('#') ? { ...run.config, initFrom: created[Number(initFrom.slice(1))]! } : run.config;
        created.push(
          this.store.createRun(config, {
            architecture: run.architecture,
            tags: request.tags,
            notes: request.notes,
            baseline: request.baseline,
          }),
        );
      }
      return created;
    });
    const records = ids.map((id) => this.store.requireRun(id));
    this.emit({ topic: 'runs', change: 'created', runIds: ids });
    this.queue.enqueue(records.map((r) => ({ runId: r.id, name: r.name, model: r.model, config: r.config })));
    return records;
  }

  /**
   * A warm start's source must be an earlier run of the same queue (`#N`) or a
   * recorded run with a checkpoint; anything else is refused before a run exists.
   */
  private checkInitFrom(config: RunConfig, index: number, fieldPrefix: string): void {
    const source = config.initFrom;
    if (source === undefined) return;
    const field = `${fieldPrefix}config.initFrom`;
    const queued = /^#(\d+)$/.exec(source);
    if (queued) {
      if (Number(queued[1]) >= index) {
        throw new ApiError('invalid-request', `initFrom ${source} must name an earlier run of this queue (0 to ${index - 1})`, { field });
      }
      return;
    }
    if (!this.store.getRun(source)) throw new ApiError('invalid-request', `initFrom: no run ${source} in this database`, { field });
    if (!this.store.latestCheckpoint(source)) {
      throw new ApiError(
        'invalid-request',
        `initFrom: run ${source} has no checkpoint to initialise from (it finished no epoch, ran with checkpoints off, or was imported without weights)`,
        { field },
      );
    }
  }

  /** Refuses a run the worker could only fail: no dataset here, or a named folder that is not one. */
  private checkDataset(request: ApiParsedRequest<'runs.start'>, fieldPrefix: string): void {
    let location;
    try {
      location = this.dataset.locate(request.config.dataDir);
    } catch (error) {
      throw new ApiError('invalid-request', errorMessage(error), {
        field: `${fieldPrefix}config.dataDir`,
      });
    }
    if (location.kind === 'needs-download' && !this.dataset.status().downloading) {
      throw new ApiError(
        'unavailable',
        `Fashion-MNIST is not on this machine: download it (dataset.download, into ${location.dir}) or import a folder that has it`,
      );
    }
  }

  private runUpdated(runId: string) {
    this.emit({ topic: 'runs', change: 'updated', runIds: [runId] });
    return { run: this.store.requireRun(runId) };
  }

  private buildHandlers(): ApiHandlers {
    const { store } = this;
    return {
      'engines.list': async ({ refresh }) => {
        if (refresh || !this.engines) {
          const probing = this.probe();
          this.engines = probing;
          // A failed probe is not cached: the next call tries again.
          probing.catch(() => {
            if (this.engines === probing) this.engines = undefined;
          });
        }
        try {
          return { engines: await this.engines };
        } catch (error) {
          throw new ApiError('unavailable', errorMessage(error));
        }
      },

      'dataset.status': () => this.dataset.status(),
      'dataset.download': () => this.dataset.fetch(),
      'dataset.cancelDownload': () => ({ cancelled: this.dataset.cancelFetch() }),
      'dataset.import': ({ dir }) => this.dataset.import(dir),
      'dataset.samples': (request) => this.dataset.samples(request),

      'models.presets': () => ({ presets: presetInfos() }),
      'models.summary': ({ resize, batchSize, ...choice }) => {
        let network;
        try {
          network = resolveNetwork(choice);
        } catch (error) {
          throw new ApiError('invalid-request', errorMessage(error), {
            field: 'model',
          });
        }
        try {
          const summary = summarizeNetwork(network.layers, [resize, resize, 1], { name: network.name, batchSize });
          return { summary, minimumSide: minimumInputSide(network.layers) };
        } catch (error) {
          if (error instanceof InputTooSmallError) throw inputTooSmall(error);
          throw error;
        }
      },

      'runs.start': (request) => {
        const run = prepareRun(request);
        this.checkDataset(request, '');
        return { run: this.startRuns([{ run, request }])[0]! };
      },
      'runs.startQueue': ({ runs }) => {
        // All checked before any is created: one bad request refuses the lot.
        const prepared = runs.map((request, i) => {
          const run = prepareRun(request, `runs.${i}.`);
          this.checkDataset(request, `runs.${i}.`);
          return { run, request };
        });
        return { runs: this.startRuns(prepared) };
      },
      'runs.resume': async ({ runId, epochs }) => {
        const run = store.requireRun(runId);
        if (this.queue.isActive(runId)) throw new ApiError('conflict', `run ${runId} is already ${run.status}`);
        // Checked here, before anything changes: a bad file refuses the resume and the run's record stays true.
        const { checkpoint, skipped } = await store.intactCheckpoint(runId);
        const why = skipped.map((s) => `epoch ${s.epoch}: ${s.reason}`).join('; ');
        if (!checkpoint) {
          throw new ApiError(
            'conflict',
            skipped.length > 0
              ? `run ${runId} has no intact checkpoint to resume from (${why})`
              : `run ${runId} has no checkpoint to resume from: it finished no epoch, ran with checkpoints off, or was imported without weights`,
          );
        }
        if (this.queue.isActive(runId)) throw new ApiError('conflict', `run ${runId} was queued meanwhile`);
        const config = { ...run.config, epochs: epochs ?? run.config.epochs };
        if (config.epochs <= checkpoint.epoch + 1) {
          throw new ApiError(
            'invalid-request',
            `run ${runId} already trained ${checkpoint.epoch + 1} of its ${config.epochs} epochs: pass more epochs to go on`,
            { field: 'epochs' },
          );
        }
        store.transaction(() => {
          store.discardAfterEpoch(runId, checkpoint.epoch);
          store.requeue(runId);
        });
        this.emit({ topic: 'runs', change: 'updated', runIds: [runId] });
        const resume = { path: checkpoint.path, epoch: checkpoint.epoch, sha256: checkpoint.sha256 };
        this.queue.enqueue([{ runId, name: run.name, model: run.model, config, resume }]);
        const notice =
          skipped.length > 0 ? `resuming from the checkpoint of epoch ${checkpoint.epoch}, the newest intact one (${why})` : undefined;
        return { run: store.requireRun(runId), ...(notice ? { notice } : {}) };
      },
      'runs.cancel': ({ runId }) => {
        const was = this.queue.cancel(runId);
        if (!was) {
          const run = store.requireRun(runId);
          throw new ApiError('conflict', `run ${runId} is ${run.status}, not queued or training here`);
        }
        return { runId, was };
      },
      'runs.queue': () => this.queue.state(),
      'runs.events': ({ runId }) => {
        store.requireRun(runId);
        const events = this.queue.eventsSoFar(runId) ?? recordedEvents(store, runId);
        return { events, seq: this.hub.lastSeq };
      },

      'runs.list': ({ filter }) => ({ runs: store.listRuns(filter) }),
      'runs.get': ({ runId }) => ({
        run: store.requireRun(runId),
        checkpoints: store.checkpoints(runId),
        hasConfusion: store.getConfusion(runId) !== null,
      }),
      'runs.metrics': ({ runId, keys }) => {
        store.requireRun(runId);
        return { points: store.metrics(runId, keys) };
      },
      'runs.tag': ({ runId, add = [], remove = [] }) => {
        store.transaction(() => {
          for (const tag of add) store.tagRun(runId, tag);
          for (const tag of remove) store.untagRun(runId, tag);
        });
        return this.runUpdated(runId);
      },
      'runs.rename': ({ runId, name }) => {
        store.renameRun(runId, name);
        return this.runUpdated(runId);
      },
      'runs.delete': ({ runId }) => {
        if (this.queue.isActive(runId)) {
          throw new ApiError('conflict', `run ${runId} is queued or training: cancel it first`);
        }
        const result = store.deleteRun(runId);
        this.misclassified.forget(runId);
        this.emit({ topic: 'runs', change: 'deleted', runIds: [runId] });
        return result;
      },
      'runs.export': ({ runIds, format }) => {
        const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
        const stem = runIds.length === 1 ? `run-${runIds[0]}` : `runs-${stamp}`;
        return format === 'json'
          ? { fileName: `${stem}.json`, mimeType: 'application/json', content: exportRunsJson(store, runIds) }
          : { fileName: `${stem}-metrics.csv`, mimeType: 'text/csv', content: metricsCsv(store, runIds) };
      },
      'runs.import': ({ content }) => {
        const runs = importRuns(store, content);
        this.emit({ topic: 'runs', change: 'created', runIds: runs.map((run) => run.id) });
        return { runs, ...(runs.some((run) => run.withoutWeights) ? { notice: WITHOUT_WEIGHTS_NOTICE } : {}) };
      },

      'runs.confusion': ({ runId }) => {
        const run = store.requireRun(runId);
        const matrix = store.getConfusion(runId);
        if (!matrix) {
          throw new ApiError(
            'unavailable',
            `run ${runId} has no confusion matrix: it is ${run.status} and finished no epoch it could report`,
          );
        }
        return { classes: [...FASHION_MNIST_CLASSES], matrix };
      },
      'runs.misclassified': ({ runId, limit }) => this.misclassified.find(runId, limit),

      'replay.open': ({ runId, speed }) => {
        store.requireRun(runId);
        return { replay: this.replays.open(runId, speed) };
      },
      'replay.play': ({ replayId }) => ({ replay: this.replays.play(replayId) }),
      'replay.pause': ({ replayId }) => ({ replay: this.replays.pause(replayId) }),
      'replay.seek': ({ replayId, target }) => ({ replay: this.replays.seek(replayId, target) }),
      'replay.setSpeed': ({ replayId, speed }) => ({ replay: this.replays.setSpeed(replayId, speed) }),
      'replay.close': ({ replayId }) => ({ closed: this.replays.close(replayId) }),
    };
  }
}
