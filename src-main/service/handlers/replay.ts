import type { ApiHandlers } from '../dispatch';
import { checkPointBudget } from '../point-budget';
import type { ServiceParts } from './service-parts';

type ReplayMethods = 'replay.open' | 'replay.play' | 'replay.pause' | 'replay.seek' | 'replay.setSpeed' | 'replay.close';

export function replayHandlers({ store, replays }: ServiceParts): Pick<ApiHandlers, ReplayMethods> {
  return {
    'replay.open': ({ runId, speed }) => {
      store.requireRun(runId);
      checkPointBudget(store, runId, 'replay.open');
      return { replay: replays.open(runId, speed) };
    },
    'replay.play': ({ replayId }) => ({ replay: replays.play(replayId) }),
    'replay.pause': ({ replayId }) => ({ replay: replays.pause(replayId) }),
    'replay.seek': ({ replayId, target }) => ({ replay: replays.seek(replayId, target) }),
    'replay.setSpeed': ({ replayId, speed }) => ({ replay: replays.setSpeed(replayId, speed) }),
    'replay.close': ({ replayId }) => ({ closed: replays.close(replayId) }),
  };
}
