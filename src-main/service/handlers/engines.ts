import { ApiError } from '../../api/api-error';
import { errorMessage } from '../../shared/error-message';
import type { ApiHandlers } from '../dispatch';
import type { ServiceParts } from './service-parts';

export function engineHandlers({ engines, speeds }: ServiceParts): Pick<ApiHandlers, 'engines.list' | 'engines.speed'> {
  return {
    'engines.list': async ({ refresh }) => {
      try {
        return { engines: await engines.list(refresh) };
      } catch (error) {
        throw new ApiError('unavailable', errorMessage(error));
      }
    },
    'engines.speed': async ({ engine = 'auto', refresh }) => {
      try {
        return await speeds.get(engine, refresh);
      } catch (error) {
        throw new ApiError('unavailable', errorMessage(error));
      }
    },
  };
}
