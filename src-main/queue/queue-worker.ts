import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freemem, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EngineChoice } from '../shared/train/run-config';
import type { EngineInfo, TrainingEvent } from '../shared/train/events';
import { describeGpuAdapter } from '../shared/train/gpu-adapter';
import { describeHost } from '../core/store/host-info';
import { errorMessage } from '../shared/error-message';
import { TrainingWorkerHost } from '../worker/training-worker-host';
import type { RunMessage } from '../worker/protocol';
import type { CheckpointWritten } from '../worker/protocol';
import { QUEUE_NAME, runKeys, workerKey, type RunKeys } from './queue-keys';
import {
  checkpointMetaSchema,
  queueJobSchema,
  type QueueJob,
  type StreamMessage,
  type WorkerAnnouncement,
} from './queue-messages';
import type { QueueAddress } from './queue-url';
import { redactSecret } from './queue-url';
import { openRedis } from './redis-connection';
import { dropUnreadableJobs, isUnreadableJobError } from './unreadable-jobs';
import { connectionNotice, isConnectionError } from './connection-notice';
import { encodeStreamEntry } from './stream-entry';
import { terminalSafe } from '../shared/terminal-safe';
import { uploadCheckpoint } from './checkpoint-upload';

/**
 * How fast a dead worker's run is taken up. BullMQ renews a job's lock every
 * lockDuration / 2 while the process lives; a SIGKILLed worker stops renewing,
 * its lock expires at most LOCK_MS later, and another worker's stalled-job
 * check (every STALLED_INTERVAL_MS) moves the job back to wait. Worst case:
 * 15 + 10 = 25 s, inside the issue's ~30 s. (BullMQ docs: "Stalled Jobs".)
 */
export const QUEUE_TIMINGS = { lockMs: 15_000, stalledIntervalMs: 10_000, maxStalledCount: 3 } as const;
export type QueueTimings = { lockMs: number; stalledIntervalMs: number; maxStalledCount: number };
/** The announcement lives this long without a heartbeat; beats come every third of it. */
export const WORKER_TTL_MS = 15_000;
export const DEFAULT_CHECKPOINT_TRANSFER_MAX = 256 * 1024 * 1024;

export interface QueueWorkerOptions {
  address: QueueAddress;
  name: string;
  engine: EngineChoice;
  /** The worker's own Fashion-MNIST folder (located before start). */
  dataDir: string;
  checkpointTransferMaxBytes?: number;
  timings?: QueueTimings;
  /** Where local checkpoints go; defaults to a folder under the temp dir. */
  workDir?: string;
  log: (line: string) => void;
  /** The training worker's entry (bundles); from source the host finds its own. */
  workerPath?: string | URL;
}

interface CurrentRun {
  job: QueueJob;
  keys: RunKeys;
  attempt: number;
  host: TrainingWorkerHost;
}

/**
 * A GPU machine's agent: takes one run at a time from the BullMQ queue, trains
 * it with the existing trainer in the existing training worker thread, and
 * appends every event to the run's Redis Stream for the hub to record.
 */
export class QueueWorker {
  private readonly redis: Redis;
  private readonly worker: Worker;
  /** BullMQ leaves a connection it was given open on close: ours to end. */
  private readonly workerConnection: Redis;
  private host: TrainingWorkerHost | undefined;
  private current: CurrentRun | undefined;
  private handingBack = false;
  private engineSeen: EngineInfo | undefined;
  private readonly startedAt = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly workDir: string;

  constructor(private readonly options: QueueWorkerOptions) {
    const onError = (message: string): void => this.log(`warning: ${message}`);
    this.redis = openRedis(options.address, onError);
    this.workDir = options.workDir ?? defaultWorkDir(options.name);
    const timings = options.timings ?? QUEUE_TIMINGS;
    this.worker = new Worker(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: (this.workerConnection = openRedis(options.address, onError)),
      concurrency: 1,
      lockDuration: timings.lockMs,
      stalledInterval: timings.stalledIntervalMs,
      maxStalledCount: timings.maxStalledCount,
      autorun: false,
    });
    const notice = connectionNotice(options.address.display, onError, (text) => redactSecret(text, options.address.redis.password));
    // BullMQ repeats each connection error of a reconnect: the notice says it once.
    this.worker.on('error', (error) => {
      if (isConnectionError(error)) notice.lost(error);
      else if (isUnreadableJobError(error)) void this.dropUnreadable();
      else onError(this.redact(error));
    });
  }

  /**
   * Every line this worker logs: one line, escaped, secrets out. A job's id,
   * a model's name and a refusal's text are anyone's who reaches Redis.
   */
  private log(line: string): void {
    this.options.log(terminalSafe(redactSecret(line, this.options.address.redis.password), { oneLine: true }));
  }

  private redact(error: unknown): string {
    return redactSecret(errorMessage(error), this.options.address.redis.password);
  }

  /** Announces itself and starts taking runs. */
  async start(): Promise<void> {
    await this.announce();
    this.heartbeat = setInterval(() => void this.announce(), WORKER_TTL_MS / 3);
    this.log(`worker ${this.options.name} on ${hostname()}: waiting for runs on ${this.options.address.display}`);
    void this.worker.run();
  }

  /**
   * SIGTERM: the running run stops after its current batch and goes back to
   * the queue (its newest checkpoint is already with the hub); then we leave.
   */
  async stop(): Promise<void> {
    this.handingBack = true;
    if (this.current) {
      this.log(`stopping: handing run ${this.current.job.runId} back to the queue`);
      this.current.host.cancel(this.current.job.runId);
    }
    await this.announce('stopping');
    await this.worker.close();
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.redis.del(workerKey(this.options.name)).catch(() => undefined);
    await this.host?.close();
    this.workerConnection.disconnect();
    this.redis.disconnect();
  }

  private async announce(state: WorkerAnnouncement['state'] = this.current ? 'training' : 'idle'): Promise<void> {
    const engine = this.engineSeen;
    const announcement: WorkerAnnouncement = {
      name: this.options.name,
      host: hostname(),
      engine: engine ? `${engine.id} (${engine.backend} ${engine.version})` : this.options.engine,
      // The engine's detail says why a GPU is not used as often as which one is: only the latter names an adapter.
      adapter: engine?.adapter ? describeGpuAdapter(engine.adapter) : engine?.detail?.startsWith('GPU: ') ? engine.detail.slice(5) : null,
      freeMemoryBytes: freemem(),
      state: this.handingBack ? 'stopping' : state,
      runId: this.current?.job.runId ?? null,
      heartbeatAt: Date.now(),
      startedAt: this.startedAt,
    };
    try {
      await this.redis.set(workerKey(this.options.name), JSON.stringify(announcement), 'PX', WORKER_TTL_MS);
    } catch (error) {
      this.log(`warning: heartbeat not sent: ${redactSecret(errorMessage(error), this.options.address.redis.password)}`);
    }
  }

  private async process(raw: Job, token: string | undefined): Promise<string> {
    const parsed = queueJobSchema.safeParse(raw.data);
    if (!parsed.success) {
      const message = `refused job ${raw.id}: not a valid run (${parsed.error.issues.map((i) => `${i.path.join('.') || 'job'}: ${i.message}`).join('; ')})`;
      this.log(message);
      await this.reportRefusal(raw.data, message);
      // Unrecoverable: BullMQ fails the job at once instead of retrying a job that can never be valid.
      throw new UnrecoverableError(message);
    }
    const job = parsed.data;
    const keys = runKeys(job.hubId, job.runId);
    const attempt = await this.redis.incr(keys.attempt);
    const send = sender(this.redis, keys, (error) => this.log(`warning: event not sent: ${errorMessage(error)}`));
    try {
      return await this.processValid(raw, token, job, keys, attempt, send);
    } catch (error) {
      if (error instanceof WaitingError) throw error;
      // Anything that stops the run before or around training (a folder it cannot make, a thread
      // that will not start) reaches its hub as the run's error: the hub would otherwise wait forever.
      const reason = `worker ${this.options.name} could not run it: ${this.redact(error)}`;
      this.log(`run ${job.runId} (job ${raw.id}): ${reason}`);
      send({ type: 'event', attempt, worker: this.options.name, event: { type: 'error', time: Date.now(), message: reason } });
      await send.drain();
      throw new UnrecoverableError(reason);
    }
  }

  private async processValid(raw: Job, token: string | undefined, job: QueueJob, keys: RunKeys, attempt: number, send: Sender): Promise<string> {
    const host = (this.host ??= new TrainingWorkerHost(this.options.workerPath));
    this.current = { job, keys, attempt, host };
    void this.announce('training');
    try {
      if (await this.redis.exists(keys.cancel)) {
        send({ type: 'event', attempt, worker: this.options.name, event: { type: 'done', time: Date.now(), status: 'cancelled', epochs: 0, seconds: 0 } });
        await send.drain();
        return 'cancelled';
      }
      const resume = attempt > 1 ? await this.fetchCheckpoint(keys, job) : undefined;
      if (attempt > 1) {
        send({ type: 'takeover', attempt, worker: this.options.name, resumedFromEpoch: resume?.epoch ?? null });
        this.log(`run ${job.runId}: taken over (attempt ${attempt}), ${resume ? `resuming after epoch ${resume.epoch}` : 'starting over: no checkpoint at the hub'}`);
      } else {
        this.log(`run ${job.runId}: training ${job.config.model}`);
      }
      const outcome = await this.train(job, keys, attempt, host, send, resume);
      await send.drain();
      if (this.handingBack && outcome === 'cancelled' && !(await this.redis.exists(keys.cancel))) {
        await raw.moveToWait(token);
        this.log(`run ${job.runId}: handed back to the queue`);
        throw new WaitingError();
      }
      this.log(`run ${job.runId}: ${outcome}`);
      return outcome;
    } finally {
      this.current = undefined;
      try {
        rmSync(join(this.workDir, `${job.hubId}-${job.runId}`), { recursive: true, force: true });
      } catch (error) {
        this.log(`warning: run ${job.runId}: its local folder was not removed: ${this.redact(error)}`);
      }
      void this.announce('idle');
    }
  }

  private async train(
    job: QueueJob,
    keys: RunKeys,
    attempt: number,
    host: TrainingWorkerHost,
    send: Sender,
    resume: { path: string; epoch: number; sha256: string } | undefined,
  ): Promise<string> {
    const runDir = join(this.workDir, `${job.hubId}-${job.runId}`);
    mkdirSync(runDir, { recursive: true });
    const request: RunMessage = {
      type: 'run',
      runId: job.runId,
      config: { ...job.config, engine: this.options.engine },
      datasetDir: this.options.dataDir,
      checkpoint: { dir: runDir, policy: 'every' },
      ...(resume ? { resume } : {}),
    };
    let terminal: TrainingEvent | undefined;
    let checkingCancel = false;
    const worker = this.options.name;
    try {
      const outcome = await host.run(request, {
        onEvent: (event) => {
          if (event.type === 'start') {
            this.engineSeen = event.engine;
            const start: StreamMessage = { type: 'event', attempt, worker, event, host: { ...describeHost(event.engine), name: hostname() } };
            void this.redis.set(keys.start, encodeStreamEntry(start));
            send(start);
            return;
          }
          // The last word waits until the confusion matrix has gone: "done" means the record is complete.
          if (event.type === 'done' || event.type === 'error') {
            terminal = event;
            return;
          }
          send({ type: 'event', attempt, worker, event });
          if (event.type === 'batch' && !checkingCancel) {
            checkingCancel = true;
            this.redis
              .exists(keys.cancel)
              .then((set) => set && host.cancel(job.runId))
              .catch(() => undefined)
              .finally(() => (checkingCancel = false));
          }
        },
        onCheckpoint: (checkpoint) => send.after(() => this.shipCheckpoint(keys, attempt, checkpoint)),
      });
      if (this.handingBack && outcome.status === 'cancelled') return 'cancelled';
      if (outcome.confusion) send({ type: 'confusion', attempt, matrix: outcome.confusion });
      send({
        type: 'event',
        attempt,
        worker,
        event: terminal ?? { type: 'done', time: Date.now(), status: outcome.status === 'failed' ? 'cancelled' : outcome.status, epochs: outcome.epochsDone, seconds: 0 },
      });
      return outcome.status;
    } catch (error) {
      // The training thread died: the next run gets a fresh one, this one fails saying why.
      if (this.host === host) this.host = undefined;
      host.close().catch(() => undefined);
      send({ type: 'event', attempt, worker, event: { type: 'error', time: Date.now(), message: `the training worker on ${worker} stopped: ${errorMessage(error)}` } });
      return 'failed';
    }
  }

  /** Sends a checkpoint's bytes to Redis for the hub, or says it stays here when it is too large. */
  private async shipCheckpoint(keys: RunKeys, attempt: number, checkpoint: CheckpointWritten): Promise<void> {
    // Runs inside the send chain: it appends its message itself, in its place.
    const send = async (message: StreamMessage): Promise<void> => {
      await this.redis.xadd(keys.events, '*', 'm', encodeStreamEntry(message));
    };
    const max = this.options.checkpointTransferMaxBytes ?? DEFAULT_CHECKPOINT_TRANSFER_MAX;
    if (checkpoint.bytes > max) {
      await send({ type: 'checkpoint-kept', attempt, worker: this.options.name, epoch: checkpoint.epoch, bytes: checkpoint.bytes });
      return;
    }
    const meta = await uploadCheckpoint(this.redis, keys, checkpoint.epoch, checkpoint.sha256, readFileSync(checkpoint.path));
    await send({ type: 'checkpoint', attempt, ...meta });
  }

  /** The newest checkpoint the hub was sent, checked against its sha256; none: the run starts over. */
  private async fetchCheckpoint(keys: RunKeys, job: QueueJob): Promise<{ path: string; epoch: number; sha256: string } | undefined> {
    const meta = checkpointMetaSchema.safeParse(JSON.parse((await this.redis.get(keys.checkpoint)) ?? 'null'));
    if (!meta.success) return undefined;
    const { epoch, chunks, sha256 } = meta.data;
    const parts: Buffer[] = [];
    for (let i = 0; i < chunks; i++) {
      const part = await this.redis.getBuffer(keys.checkpointChunk(epoch, i));
      if (!part) return undefined;
      parts.push(part);
    }
    const bytes = Buffer.concat(parts);
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
      this.log(`run ${job.runId}: the checkpoint of epoch ${epoch} in the queue does not match its sha256; starting over`);
      return undefined;
    }
    const dir = join(this.workDir, `${job.hubId}-${job.runId}`);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `resume-epoch-${epoch}.ckpt`);
    writeFileSync(path, bytes);
    return { path, epoch, sha256 };
  }

  /** Jobs whose data is not JSON: removed, each logged by its id once, and its run's hub told when the id names one. */
  private async dropUnreadable(): Promise<void> {
    try {
      for (const job of await dropUnreadableJobs(this.redis, this.worker)) {
        const message = `refused job ${job.id}: its data is not JSON; removed from the queue`;
        this.log(message);
        if (job.run) await this.reportRefusal(job.run, message);
      }
    } catch (error) {
      this.log(`warning: unreadable jobs not removed: ${this.redact(error)}`);
    }
  }

  /** A job we cannot run but whose run we can name: its hub is told why, as an error event. */
  private async reportRefusal(data: unknown, message: string): Promise<void> {
    const ids = queueJobSchema.pick({ hubId: true, runId: true }).safeParse(data);
    if (!ids.success) return;
    const keys = runKeys(ids.data.hubId, ids.data.runId);
    const attempt = await this.redis.incr(keys.attempt);
    const send = sender(this.redis, keys, () => undefined);
    send({ type: 'event', attempt, worker: this.options.name, event: { type: 'error', time: Date.now(), message } });
    await send.drain();
  }
}

type Sender = ((message: StreamMessage) => void) & {
  /** Runs `work` after everything sent so far, before anything sent later. */
  after(work: () => Promise<void>): void;
  drain(): Promise<void>;
};

/** Appends messages to the run's stream strictly in order, one chain per run. */
function sender(redis: Redis, keys: RunKeys, onError: (error: unknown) => void): Sender {
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<unknown>): void => {
    chain = chain.then(work).then(() => undefined, onError);
  };
  const send = ((message: StreamMessage) => enqueue(() => redis.xadd(keys.events, '*', 'm', encodeStreamEntry(message)))) as Sender;
  send.after = (work) => enqueue(work);
  send.drain = async () => {
    // Work in the chain may add more: wait until it stops growing.
    for (let seen = chain; ; seen = chain) {
      await seen;
      if (seen === chain) return;
    }
  };
  return send;
}

/** Where a worker keeps its runs' local checkpoints when not told. */
export const defaultWorkDir = (name: string): string => join(tmpdir(), `vgg-workbench-worker-${safeName(name)}`);

/** A folder name from a worker's name: safe characters, short enough for any file system, distinct by its hash. */
const safeName = (name: string): string =>
  `${name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
