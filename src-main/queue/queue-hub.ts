import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunStore } from '../core/store/run-store';
import type { PreparedRun } from '../shared/train/prepared-run';
import type { RunConfig } from '../shared/train/run-config';
import type { TrainingEvent } from '../shared/train/events';
import { errorMessage } from '../shared/error-message';
import { HUB_GROUP, QUEUE_NAME, hubRunsKey, jobId, runKeys, type RunKeys } from './queue-keys';
import { checkpointMetaSchema, queuedConfigSchema, makeQueueJob, type StreamMessage, type WorkerAnnouncement } from './queue-messages';
import { decodeStreamEntry, encodeStreamEntry } from './stream-entry';
import { EntryGuard } from './entry-guard';
import { terminalSafe } from '../shared/terminal-safe';
import type { QueueAddress } from './queue-url';
import { redactSecret } from './queue-url';
import { checkQueueReachable, openRedis } from './redis-connection';
import { listWorkers } from './list-workers';
import { connectionNotice, isConnectionError } from './connection-notice';
import { RunApplier } from './run-applier';
import { RecorderLease } from './hub-recorder-lease';
import { EventsOnce } from './events-once';

/** Entries read per XREADGROUP: one SQLite transaction and one XACK each. */
const READ_COUNT = 500;
const BLOCK_MS = 2000;
/** How long an ended run's stream stays for the watchers of other processes of the hub to read its end. */
const ENDED_STREAM_LINGER_MS = 60_000;
const END_POLL_MS = 100;

/** Above this, a worker keeps its checkpoint (queue-worker.ts); a hub takes no larger one either. */
export const DEFAULT_HUB_CHECKPOINT_MAX = 256 * 1024 * 1024;

export interface HubOptions {
  /** The largest checkpoint this hub reads from Redis (`--checkpoint-transfer-max`). */
  checkpointTransferMaxBytes?: number;
}

export interface FollowOptions {
  /** Each training event as it is recorded, in order (replayed duplicates are not repeated). */
  onEvent?: (event: TrainingEvent) => void;
  /** Stop once everything in the stream is recorded, instead of waiting for the run's end. */
  untilCaughtUp?: boolean;
  /** Another process of this hub records the run (`who`: its pid and host) and this one only watches; undefined: this one records from now. */
  onWatching?: (who: string | undefined) => void;
}

/**
 * The hub's side of the queue: it creates runs in its own store, puts them on
 * the BullMQ queue, and records every event the workers stream back through
 * the same recorder as a local run. Entries are read through a consumer group
 * and acknowledged only after their SQLite commit, so a hub that dies loses
 * nothing: the next one reads the unacknowledged entries again.
 */
export class QueueHub {
  /** Derived from this machine and the database's path: the same hub after a restart. */
  readonly hubId: string;
  private readonly queue: Queue;
  /** BullMQ leaves a connection it was given open on close: ours to end. */
  private readonly queueConnection: Redis;
  private readonly followers = new Set<Redis>();
  private closed = false;

  private constructor(
    private readonly address: QueueAddress,
    private readonly store: RunStore,
    private readonly redis: Redis,
    private readonly log: (line: string) => void,
    private readonly options: HubOptions = {},
  ) {
    this.hubId = createHash('sha256').update(`${hostname()}\0${resolve(store.path)}`).digest('hex').slice(0, 16);
    this.queueConnection = openRedis(address, log);
    this.queue = new Queue(QUEUE_NAME, { connection: this.queueConnection });
    // Without a listener BullMQ prints every error with its stack: a connection error is the notice's, the rest one line.
    this.queue.on('error', (error) => {
      if (isConnectionError(error)) connectionNotice(address.display, log, (text) => this.redactText(text)).lost(error);
      else log(`warning: queue ${address.display}: ${this.redact(error)}`);
    });
  }

  /** Checks the queue answers (a clear error otherwise), then connects. */
  static async open(address: QueueAddress, store: RunStore, log: (line: string) => void, options: HubOptions = {}): Promise<QueueHub> {
    await checkQueueReachable(address);
    return new QueueHub(address, store, openRedis(address, log), log, options);
  }

  get display(): string {
    return this.address.display;
  }

  /**
   * Creates the run in this hub's store and puts it on the queue. It takes a
   * run prepared by service/prepare-run.ts, so a queued run passes the same
   * checks (the recipe, the network fitting the image) as a local one. The
   * memory limit stays here: a worker plans for its own machine.
   */
  async startRun(run: PreparedRun, options: { tags?: string[]; notes?: string; baseline?: boolean } = {}): Promise<string> {
    // dataDir goes: the data is the worker's own.
    const travelling = queuedConfigSchema.parse(run.config);
    const runId = this.store.createRun(travelling, { architecture: run.architecture, ...options });
    try {
      await this.submit(runId, travelling);
    } catch (error) {
      this.store.releaseQueueOwned(runId);
      this.store.finishRun(runId, { status: 'failed', time: Date.now(), error: `not queued: ${this.redact(error)}` });
      throw error;
    }
    return runId;
  }

  /** Puts an existing run on the queue; a second submit of the same run adds nothing (one job id per run). */
  async submit(runId: string, config: RunConfig): Promise<void> {
    const job = makeQueueJob(this.hubId, runId, config);
    await this.ensureGroup(runKeys(this.hubId, runId));
    // From here the run is the queue's: no reaper ends it when this process dies.
    this.store.markQueueOwned({ runId, hubId: this.hubId, queue: this.address.display, queuedAt: Date.now() });
    await this.redis.sadd(hubRunsKey(this.hubId), runId);
    await this.queue.add('run', job, { jobId: jobId(this.hubId, runId), removeOnComplete: true, removeOnFail: 1000 });
  }

  /**
   * Cancels a run: a waiting job is taken off the queue and the run recorded
   * cancelled; a training one is flagged, and its worker stops within a batch.
   */
  async cancel(runId: string): Promise<void> {
    const keys = runKeys(this.hubId, runId);
    await this.redis.set(keys.cancel, '1');
    const job = await this.queue.getJob(jobId(this.hubId, runId));
    const state = job ? await job.getState() : undefined;
    // No job at all: the queue lost it (a Redis without its append-only file): only the hub can end the run now.
    if (!job || state === 'waiting' || state === 'prioritized' || state === 'delayed') {
      try {
        await job?.remove();
      } catch {
        return; // A worker took it meanwhile: it sees the flag.
      }
      const attempt = Number((await this.redis.get(keys.attempt)) ?? '0') || 1;
      const done: StreamMessage = { type: 'event', attempt, worker: 'hub', event: { type: 'done', time: Date.now(), status: 'cancelled', epochs: 0, seconds: 0 } };
      await this.redis.xadd(keys.events, '*', 'm', encodeStreamEntry(done));
    }
  }

  /** The runs this hub has on the queue that have not ended yet. */
  async pendingRuns(): Promise<string[]> {
    return this.redis.smembers(hubRunsKey(this.hubId));
  }

  /** Catches up with every run this hub put on the queue; `live` keeps following them to their end. */
  async sync(
    options: { live?: boolean; onEvent?: (runId: string, event: TrainingEvent) => void } = {},
  ): Promise<{ runId: string; recorded: number; ended: boolean; recordedBy?: string }[]> {
    const runIds = await this.pendingRuns();
    return Promise.all(
      runIds.map(async (runId) => {
        let recorded = 0;
        const onEvent = (event: TrainingEvent): void => {
          recorded += 1;
          options.onEvent?.(runId, event);
        };
        let recordedBy: string | undefined;
        const ended = await this.follow(runId, { untilCaughtUp: !options.live, onEvent, onWatching: (who) => (recordedBy = who) });
        return { runId, recorded, ended, ...(recordedBy ? { recordedBy } : {}) };
      }),
    );
  }

  /**
   * Follows a run until it ends (or, with untilCaughtUp, until nothing is left
   * to read). Of the processes of this hub following it, the holder of its
   * recorder lease (hub-recorder-lease.ts) records the stream into the store;
   * the others watch it. Each passes every event on once. Resolves true when
   * the run has ended.
   */
  async follow(runId: string, options: FollowOptions = {}): Promise<boolean> {
    const keys = runKeys(this.hubId, runId);
    if (!this.store.getRun(runId)) {
      await this.cleanUp(runId, keys); // Deleted here meanwhile: nothing to record into.
      return true;
    }
    const reader = this.redis.duplicate();
    reader.on('error', () => undefined); // The command connection reports; this one just retries.
    this.followers.add(reader);
    const lease = new RecorderLease(this.redis, keys.recorder);
    const once = new EventsOnce();
    const pass = (attempt: number, event: TrainingEvent | undefined): void => {
      if (event && once.admit(attempt, event)) options.onEvent?.(event);
    };
    const maxBytes = this.options.checkpointTransferMaxBytes ?? DEFAULT_HUB_CHECKPOINT_MAX;
    // Logged once, escaped: an entry's text is anyone's who reaches Redis.
    const skip = (id: string, reason: string): void =>
      this.log(terminalSafe(`warning: run ${runId}: skipped stream entry ${id}: ${reason}`, { oneLine: true }));
    let applier: RunApplier | undefined;
    let guard: EntryGuard | undefined;
    let ended = false;
    // The recorder reads the group: first what was delivered and never acknowledged (a recorder died mid-way), then what is new.
    let groupCursor = '0';
    // A watcher reads the whole stream on its own cursor.
    let watchCursor = '0-0';
    let sawEnd = false;
    let watching = false;
    try {
      while (!ended && !this.closed) {
        if (await lease.tryAcquire()) {
          if (watching) {
            watching = false;
            options.onWatching?.(undefined);
          }
          if (!applier || !guard) {
            applier = new RunApplier(this.store, runId, (epoch, chunks, bytes) => this.readChunks(keys, epoch, chunks, bytes), (error) =>
              this.log(`warning: run ${runId}: ${this.redact(error)}`),
            );
            guard = new EntryGuard(this.store, runId, maxBytes, async () => Number(await this.redis.get(keys.attempt)) || 0);
            const start = decodeStreamEntry(await this.redis.get(keys.start));
            // Checked as an entry would be, but not counted as this take's start (entry-guard.ts).
            const startAccepted = start.ok && (await guard.check(start.message, { countStart: false })).apply;
            const message = start.ok && startAccepted ? start.message : undefined;
            applier.attach(message);
            if (message?.type === 'event') pass(message.attempt, message.event);
            await this.ensureGroup(keys);
            groupCursor = '0';
          }
          if (applier.isEnded) {
            ended = true;
            break;
          }
          const entries = await this.read(reader, keys, groupCursor, options.untilCaughtUp ? undefined : BLOCK_MS);
          if (entries.length === 0) {
            if (groupCursor === '0') groupCursor = '>';
            else if (options.untilCaughtUp) break;
            continue;
          }
          for (const [id, raw] of entries) {
            // A bad entry is acknowledged with the rest and skipped: it never stops the hub, nor a sync.
            const decoded = decodeStreamEntry(raw);
            if (!decoded.ok) {
              skip(id, decoded.reason);
              continue;
            }
            const verdict = await guard.check(decoded.message);
            if (!verdict.apply) {
              if (verdict.reason !== undefined) skip(id, verdict.reason);
              continue;
            }
            let event: TrainingEvent | undefined;
            try {
              event = await applier.apply(decoded.message);
            } catch (error) {
              // The store's own trouble (busy, full disk) is not the entry's: unacknowledged, it is read again.
              if (isStorageError(error)) throw error;
              skip(id, this.redact(error));
              continue;
            }
            pass(decoded.message.attempt, event);
            if (applier.isEnded) break;
          }
          applier.flush();
          await this.redis.xack(keys.events, HUB_GROUP, ...entries.map(([id]) => id));
          ended = applier.isEnded;
        } else {
          if (applier) {
            // The lease was lost (a long pause): another process records from here.
            applier.close();
            applier = undefined;
            guard = undefined;
          }
          if (!watching) {
            watching = true;
            options.onWatching?.((await lease.holder()) ?? 'another process');
          }
          // Once the end is seen, only the recorder's commit of it is awaited: poll the store often.
          const entries = await this.watch(reader, keys, watchCursor, options.untilCaughtUp ? undefined : sawEnd ? END_POLL_MS : BLOCK_MS);
          if (entries.length === 0) {
            // Everything streamed so far is read: ended when the recorder has recorded the end.
            ended = isEnded(this.store.getRun(runId)?.status);
            if (options.untilCaughtUp) break;
            continue;
          }
          for (const [id, raw] of entries) {
            watchCursor = id;
            // A watcher records nothing, but shows only what the recorder would accept the shape of.
            const decoded = decodeStreamEntry(raw);
            if (!decoded.ok || decoded.message.type !== 'event') continue;
            pass(decoded.message.attempt, decoded.message.event);
            if (decoded.message.event.type === 'done' || decoded.message.event.type === 'error') sawEnd = true;
          }
        }
      }
      if (applier?.isEnded) await this.cleanUp(runId, keys);
    } catch (error) {
      // A command cut off by close() ("Connection is closed"): what is unacknowledged is read again next time.
      if (!this.closed) throw error;
      return false;
    } finally {
      applier?.close();
      if (lease.held) await lease.release();
      this.followers.delete(reader);
      reader.disconnect();
    }
    return ended;
  }

  /** A watcher's read: the stream's entries after `cursor`, outside the consumer group. */
  private async watch(reader: Redis, keys: RunKeys, cursor: string, blockMs: number | undefined): Promise<[string, string | undefined][]> {
    const args: (string | number)[] = ['COUNT', READ_COUNT];
    if (blockMs !== undefined) args.push('BLOCK', blockMs);
    return streamEntries(await reader.call('XREAD', ...args, 'STREAMS', keys.events, cursor));
  }

  /** The Redis server's version (INFO server), or "unknown" when it does not say. */
  async redisVersion(): Promise<string> {
    return /^redis_version:(\S+)/m.exec(await this.redis.info('server'))?.[1] ?? 'unknown';
  }

  /** Workers whose heartbeat has not expired. */
  workers(): Promise<WorkerAnnouncement[]> {
    return listWorkers(this.redis);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const reader of this.followers) reader.disconnect();
    await this.queue.close();
    this.queueConnection.disconnect();
    this.redis.disconnect();
  }

  private async read(reader: Redis, keys: RunKeys, cursor: string, blockMs: number | undefined): Promise<[string, string | undefined][]> {
    const args: (string | number)[] = ['GROUP', HUB_GROUP, this.hubId, 'COUNT', READ_COUNT];
    if (blockMs !== undefined && cursor === '>') args.push('BLOCK', blockMs);
    let reply: unknown;
    try {
      reply = await reader.call('XREADGROUP', ...args, 'STREAMS', keys.events, cursor);
    } catch (error) {
      // close() disconnects a reader in the middle of its blocking read: that is the end, not an error.
      if (this.closed) return [];
      if (!/NOGROUP/.test(errorMessage(error))) throw error;
      await this.ensureGroup(keys);
      return [];
    }
    return streamEntries(reply);
  }

  private async ensureGroup(keys: RunKeys): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', keys.events, HUB_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!/BUSYGROUP/.test(errorMessage(error))) throw error;
    }
  }

  private async readChunks(keys: RunKeys, epoch: number, chunks: number, bytes: number): Promise<Buffer | undefined> {
    // Sizes first: chunks that add up to more than announced are never loaded (a 300 MB junk checkpoint once was).
    let total = 0;
    for (let i = 0; i < chunks && total <= bytes; i++) total += await this.redis.strlen(keys.checkpointChunk(epoch, i));
    if (total > bytes) throw new Error(`the checkpoint of epoch ${epoch} has more bytes in Redis than the ${bytes} announced; not read`);
    if (total !== bytes) return undefined;
    const parts: Buffer[] = [];
    for (let i = 0; i < chunks; i++) {
      const part = await this.redis.getBuffer(keys.checkpointChunk(epoch, i));
      if (!part) return undefined;
      parts.push(part);
    }
    return Buffer.concat(parts);
  }

  /** A run that has ended leaves nothing behind in Redis. */
  private async cleanUp(runId: string, keys: RunKeys): Promise<void> {
    const meta = checkpointMetaSchema.safeParse(safeJson(await this.redis.get(keys.checkpoint)));
    const chunkKeys = meta.success ? Array.from({ length: meta.data.chunks }, (_, i) => keys.checkpointChunk(meta.data.epoch, i)) : [];
    await this.redis.del(keys.cancel, keys.attempt, keys.start, keys.checkpoint, keys.recorder, ...chunkKeys);
    // Another process of this hub may still be watching the stream's tail: it goes a little later.
    await this.redis.pexpire(keys.events, ENDED_STREAM_LINGER_MS);
    await this.redis.srem(hubRunsKey(this.hubId), runId);
    if (this.store.hasRun(runId)) this.store.releaseQueueOwned(runId);
  }

  private redact(error: unknown): string {
    return this.redactText(errorMessage(error));
  }

  private redactText(text: string): string {
    return redactSecret(text, this.address.redis.password);
  }
}

/** An error of SQLite or the file system (SQLITE_BUSY, SQLITE_FULL, ENOSPC…), as opposed to one about the entry. */
function isStorageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(SQLITE_|E[A-Z]+$)/.test(code);
}

const isEnded = (status: string | undefined): boolean =>
  status === undefined || status === 'completed' || status === 'failed' || status === 'cancelled';

function safeJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** XREADGROUP's reply, [[stream, [[id, [field, value, …]], …]]] or null, as (id, value of field m). */
function streamEntries(reply: unknown): [string, string | undefined][] {
  if (!Array.isArray(reply)) return [];
  const entries: [string, string | undefined][] = [];
  for (const stream of reply) {
    if (!Array.isArray(stream) || !Array.isArray(stream[1])) continue;
    for (const entry of stream[1] as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
      const fields = Array.isArray(entry[1]) ? (entry[1] as unknown[]) : [];
      const at = fields.indexOf('m');
      const value = at >= 0 ? fields[at + 1] : undefined;
      entries.push([entry[0], typeof value === 'string' ? value : undefined]);
    }
  }
  return entries;
}
