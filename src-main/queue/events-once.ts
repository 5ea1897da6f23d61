import type { TrainingEvent } from '../shared/train/events';

/**
 * What a follower of a queued run passes on (to `--json`, to a live view):
 * each (run, step) once. A worker that takes a run over starts it again from
 * the hub's checkpoint and sends the steps after it a second time, and a
 * process that turns from watcher into recorder reads entries it has already
 * seen: none of that is repeated. Events of an older take than the newest
 * start seen are dropped (a worker that lost its lock but still sends).
 */
export class EventsOnce {
  private attempt = 0;
  private started = false;
  private ended = false;
  private lastStep = -1;
  private lastEpoch = -1;
  private lastLayerStep = -1;
  private lastLayerEpoch = -1;

  /** Whether `event`, sent by take `attempt` of the run, is new to this follower. */
  admit(attempt: number, event: TrainingEvent): boolean {
    if (this.ended) return false;
    if (event.type === 'start') {
      this.attempt = Math.max(this.attempt, attempt);
      if (this.started) return false;
      this.started = true;
      return true;
    }
    if (attempt < this.attempt) return false;
    switch (event.type) {
      case 'batch':
        if (event.step <= this.lastStep) return false;
        this.lastStep = event.step;
        return true;
      case 'epoch':
        if (event.epoch <= this.lastEpoch) return false;
        this.lastEpoch = event.epoch;
        return true;
      // Layer statistics ride beside the batches and epochs they belong to: once each, and never an end.
      case 'layerStep':
        if (event.step <= this.lastLayerStep) return false;
        this.lastLayerStep = event.step;
        return true;
      case 'layerEpoch':
        if (event.epoch <= this.lastLayerEpoch) return false;
        this.lastLayerEpoch = event.epoch;
        return true;
      case 'done':
      case 'error':
        this.ended = true;
        return true;
    }
  }
}
