import type { EpochEvent } from './events';

/**
 * The chapter's per-epoch line, printed by the CLI and shown in the GUI's log:
 * `Epoch 0. Loss: 0.869, Train acc 0.68, Test acc 0.83, Time 147.5 sec`.
 */
export function bookLine(event: Pick<EpochEvent, 'epoch' | 'loss' | 'trainAcc' | 'testAcc' | 'seconds'>): string {
  return (
    `Epoch ${event.epoch}. Loss: ${event.loss.toFixed(3)}, Train acc ${event.trainAcc.toFixed(2)}, ` +
    `Test acc ${event.testAcc.toFixed(2)}, Time ${event.seconds.toFixed(1)} sec`
  );
}
