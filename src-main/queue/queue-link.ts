import type { RunStore } from '../core/store/run-store';
import type { TrainingEvent } from '../shared/train/events';
import { errorMessage } from '../shared/error-message';
import { QueueHub } from './queue-hub';
import { parseQueueUrl, redactQueueUrls } from './queue-url';

/**
 * What the app and `serve` hold when started with a queue URL: at open they
 * catch up with every run this database put on the queue, then follow those
 * still training, announcing each recorded event as a local run's would be.
 */
export class QueueLink {
  private hub: QueueHub | undefined;
  private closed = false;
  readonly ready: Promise<void>;

  constructor(
    url: string,
    store: RunStore,
    private readonly announce: (runId: string, event: TrainingEvent) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.ready = this.open(url, store).catch((error: unknown) => onError(new Error(redactQueueUrls(errorMessage(error)))));
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

  async close(): Promise<void> {
    this.closed = true;
    await this.ready;
    await this.hub?.close();
  }
}
