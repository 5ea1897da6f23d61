import { ApiError } from '../../api/api-error';
import { resolveNetwork } from '../../shared/models/presets';
import { plannedMemoryOf } from '../../core/engine/wasm/wasm-layout-plan';
import { InputTooSmallError, minimumInputSide, summarizeNetwork } from '../../shared/models/summary';
import { errorMessage } from '../../shared/error-message';
import type { ApiHandlers } from '../dispatch';
import { presetInfos } from '../preset-infos';
import { inputTooSmall } from '../to-api-error';

export function modelHandlers(): Pick<ApiHandlers, 'models.presets' | 'models.summary'> {
  return {
    'models.presets': () => ({ presets: presetInfos() }),
    'models.summary': ({ resize, batchSize, ...choice }) => {
      let network;
      try {
        network = resolveNetwork(choice);
      } catch (error) {
        throw new ApiError('invalid-request', errorMessage(error), {
          field: 'model',
        });
      }
      try {
        const summary = summarizeNetwork(network.layers, [resize, resize, 1], { name: network.name, batchSize });
        return { summary, minimumSide: minimumInputSide(network.layers), ...plannedMemoryOf({ ...choice, resize, batchSize }) };
      } catch (error) {
        if (error instanceof InputTooSmallError) throw inputTooSmall(error);
        throw error;
      }
    },
  };
}
