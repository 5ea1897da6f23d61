import type { RunStore } from '../core/store/run-store';
import type { TrainingEvent } from '../shared/train/events';
import { errorMessage } from '../shared/error-message';
import { QueueHub } from './queue-hub';
import type { WorkerAnnouncement } from './queue-messages';
import { parseQueueUrl, redactUrls } from './queue-url';

/**
 * What the app and `serve` hold when started with a queue URL: at open they
 * catch up with every run this database put on the queue, then follow those
 * still training, announcing each recorded event as a local run's would be.
 */
export class QueueLink {
  private hub: QueueHub | undefined;
  private closed = false;
  /** Why the hub did not open (redacted): what workers() answers from then on. */
  private openError: string | undefined;
  readonly ready: Promise<void>;

  constructor(
    url: string,
    store: RunStore,
    private readonly announce: (runId: string, event: TrainingEvent) => void,
    private readonly onError: (error: unknown) => void,
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
    void hub.sync({ live: true, onEvent: this.announce }).catch(this.onError);
  }

  /** The workers serving the queue now; throws why when the queue could not be opened. */
  async workers(): Promise<WorkerAnnouncement[]> {
    await this.ready;
    if (!this.hub) throw new Error(this.openError ?? 'the queue is closed');
    return this.hub.workers();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.ready;
    await this.hub?.close();
  }
}
