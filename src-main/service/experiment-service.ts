import { ApiError, type ApiEnvelope } from '../api/api-error';
import type { EngineStatusInfo } from '../api/entities';
import type { ApiMethod, ApiRequest, ApiResult } from '../api/methods';
import type { WorkbenchApi, WorkbenchEventListener } from '../api/workbench-api';
import { RunStore, type RunStoreOptions } from '../core/store/run-store';
import { TrainingWorkerHost } from '../worker/training-worker-host';
import { DatasetManager } from './dataset-manager';
import { dispatchApiCall, type ApiHandlers } from './dispatch';
import { probeEnginesInChildProcess } from './engine-probe';
import { EngineProbeCache } from './engine-probe-cache';
import { measureSpeedInChildProcess, type SpeedMeasurer } from './engine-speed';
import { EngineSpeedCache } from './engine-speed-cache';
import { defaultExampleRunsFile, ExampleRuns } from './example-runs';
import { EventHub } from './event-hub';
import { apiHandlers } from './handlers/api-handlers';
import { PredictionCache } from './prediction-cache';
import type { PredictionSource } from './prediction-protocol';
import { ReplaySessions } from './replay-sessions';
import { RunQueue, type CheckpointPolicy } from './run-queue';
import type { ServiceEndpoint } from './service-endpoint';
import type { WorkerHostLike } from './worker-host-like';
import { linkQueue } from './queue-runs';
import type { ServiceParts } from './handlers/service-parts';
import type { QueueSettingsStore, SavedQueue } from './queue-settings';

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
  /** Defaults to a probe in a child process (see engine-probe.entry.ts for why not here). */
  probeEngines?: () => Promise<EngineStatusInfo[]>;
  /** The import worker's entry, for bundles (electron-vite); from source its .ts sibling. */
  importWorkerPath?: string | URL;
  /** Per-image test predictions from a run's checkpoint; defaults to a prediction worker. */
  predictions?: PredictionSource;
  /** Where Debian's Fashion-MNIST package would be (tests point it elsewhere). */
  systemDatasetDir?: string;
  /** Mirror for dataset downloads (tests serve one locally). */
  datasetBaseUrl?: string;
  /** An engine's speed for time estimates; defaults to a measurement in a child process (engine-speed.ts). */
  measureSpeed?: SpeedMeasurer;
  /** The shipped example runs (a run export, .json or .json.gz); found next to the app when absent, none when null. */
  exampleRunsFile?: string | null;
  /** A background failure nobody awaits (a store write on a timer); defaults to console.error. */
  onError?: (error: unknown) => void;
  /** A Redis queue (redis://…) whose runs launched from this database are caught up with at open; absent: no Redis. */
  queueUrl?: string;
  /** The desktop app's saved queue: the Queue panel edits it; the app opened with `queueSettingsAtOpen`. */
  queueSettings?: QueueSettingsStore;
  queueSettingsAtOpen?: SavedQueue;
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
  private readonly misclassified: PredictionCache;
  private readonly handlers: ApiHandlers;
  private closed = false;
  private readonly parts: ServiceParts;

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
      checkpointPolicy: options.checkpointPolicy ?? 'last',
      onError,
    });
    this.replays = new ReplaySessions(this.store, this.hub);
    this.misclassified = new PredictionCache(this.store, this.dataset, options.predictions);
    this.parts = {
      store: this.store,
      hub: this.hub,
      queue: this.queue,
      dataset: this.dataset,
      replays: this.replays,
      misclassified: this.misclassified,
      engines: new EngineProbeCache(options.probeEngines ?? (() => probeEnginesInChildProcess())),
      importWorkerPath: options.importWorkerPath,
      speeds: new EngineSpeedCache(options.measureSpeed ?? ((engine) => measureSpeedInChildProcess(engine))),
      examples: new ExampleRuns(
        this.store,
        options.exampleRunsFile === null ? undefined : (options.exampleRunsFile ?? defaultExampleRunsFile()),
      ),
      queueLink: options.queueUrl === undefined ? undefined : linkQueue(options.queueUrl, this.store, this.hub, onError),
      queueSettings: options.queueSettings,
      queueSettingsAtOpen: options.queueSettingsAtOpen,
      relinkQueue: async (url) => {
        const previous = this.parts.queueLink;
        this.parts.queueLink = url === undefined ? undefined : linkQueue(url, this.store, this.hub, onError);
        await previous?.close();
      },
    };
    this.handlers = apiHandlers(this.parts);
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
    await this.parts.queueLink?.close();
    await this.misclassified.close();
    this.store.close();
  }
}
