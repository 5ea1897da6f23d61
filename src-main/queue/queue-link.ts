import type { RunStore } from '../core/store/run-store';
import type { PreparedRun } from '../shared/train/prepared-run';
import type { TrainingEvent } from '../shared/train/events';
import { errorMessage } from '../shared/error-message';
import { QueueHub } from './queue-hub';
import type { WorkerAnnouncement } from './queue-messages';
import { parseQueueUrl, redactUrls } from './queue-url';

/** How often the link looks for runs that another process of this hub put on the queue: "live within a second". */
export const PENDING_POLL_MS = 500;

/**
 * What the app and `serve` hold when started with a queue URL: they follow
 * every run this database has on the queue, those queued before they opened
 * (catching up), those they queue, and those another process of the same
 * hub queues meanwhile (a CLI `train --queue` on the same database), each
 * recorded event announced as a local run's would be.
 */
export class QueueLink {
  private hub: QueueHub | undefined;
  private closed = false;
  /** Why the hub did not open (redacted): what workers() answers from then on. */
  private openError: string | undefined;
  private readonly following = new Set<string>();
  private poller: NodeJS.Timeout | undefined;
  readonly ready: Promise<void>;

  constructor(
    url: string,
    store: RunStore,
    private readonly announce: (runId: string, event: TrainingEvent) => void,
    private readonly onError: (error: unknown) => void,
    /** A run this link begins to follow: lists that did not know it should reload. */
    private readonly onFollow: (runId: string) => void = () => undefined,
  ) {
    this.ready = this.open(url, store).catch((error: unknown) => {
      this.openError = redactUrls(errorMessage(error));
      onError(new Error(this.openError));
    });
  }

  private async open(url: string, store: RunStore): Promise<void> {
    const hub = await QueueHub.open(parseQueueUrl(url), store, (line) => this.onError(new Error(line)));
    if (this.closed) {
      await hub.close();
      return;
    }
    this.hub = hub;
    await this.followPending();
    this.poller = setInterval(() => void this.followPending().catch(this.onError), PENDING_POLL_MS);
    this.poller.unref();
  }

  private async followPending(): Promise<void> {
    const hub = this.hub;
    if (!hub || this.closed) return;
    for (const runId of await hub.pendingRuns()) this.followRun(hub, runId);
  }

  private followRun(hub: QueueHub, runId: string): void {
    if (this.following.has(runId) || this.closed) return;
    this.following.add(runId);
    this.onFollow(runId);
    hub
      .follow(runId, { onEvent: (event) => this.announce(runId, event) })
      .catch(this.onError)
      // Still pending (the hub closed mid-way, or an error): the next poll picks it up again.
      .finally(() => this.following.delete(runId));
  }

  private async requireHub(): Promise<QueueHub> {
    await this.ready;
    if (!this.hub) throw new Error(this.openError ?? 'the queue is closed');
    return this.hub;
  }

  /** The workers serving the queue now; throws why when the queue could not be opened. */
  async workers(): Promise<WorkerAnnouncement[]> {
    return (await this.requireHub()).workers();
  }

  /** Reaches the queue now (the Queue panel's Test): the Redis version and how many workers it sees. */
  async test(): Promise<{ redisVersion: string; workersSeen: number }> {
    const hub = await this.requireHub();
    const [redisVersion, workers] = await Promise.all([hub.redisVersion(), hub.workers()]);
    return { redisVersion, workersSeen: workers.length };
  }

  /** Queues a run on the workers and follows it; resolves with its id once it is on the queue. */
  async startRun(run: PreparedRun, options: { tags?: string[]; notes?: string; baseline?: boolean } = {}): Promise<string> {
    const hub = await this.requireHub();
    const runId = await hub.startRun(run, options);
    this.followRun(hub, runId);
    return runId;
  }

  /** A waiting run leaves the queue; a training one is flagged and stops within a batch or two on its worker. */
  async cancel(runId: string): Promise<void> {
    await (await this.requireHub()).cancel(runId);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    await this.ready;
    await this.hub?.close();
  }
}
