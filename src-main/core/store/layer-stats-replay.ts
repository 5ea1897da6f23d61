import type { TrainingEvent } from '../../shared/train/events';
import type { LayerStatsEvent } from './layer-stats-store';

/**
 * Puts a run's layer events back where the trainer emitted them: a step's
 * right after its batch event, an epoch's right after its epoch event. One
 * whose batch or epoch was not recorded (a crash lost the last points) comes
 * at the end, so nothing stored is left out of a replay.
 */
export function withLayerEvents(events: readonly TrainingEvent[], layerEvents: readonly LayerStatsEvent[]): TrainingEvent[] {
  if (layerEvents.length === 0) return [...events];
  const bySteps = new Map<number, LayerStatsEvent>();
  const byEpochs = new Map<number, LayerStatsEvent>();
  for (const event of layerEvents) {
    if (event.type === 'layerStep') bySteps.set(event.step, event);
    else byEpochs.set(event.epoch, event);
  }
  const stream: TrainingEvent[] = [];
  for (const event of events) {
    stream.push(event);
    const follower = event.type === 'batch' ? bySteps.get(event.step) : event.type === 'epoch' ? byEpochs.get(event.epoch) : undefined;
    if (follower) {
      stream.push(follower);
      (follower.type === 'layerStep' ? bySteps : byEpochs).delete(follower.type === 'layerStep' ? follower.step : follower.epoch);
    }
  }
  stream.push(...bySteps.values(), ...byEpochs.values());
  return stream;
}
