import type { ApiHandlers } from '../dispatch';
import type { ServiceParts } from './service-parts';

type DatasetMethods = 'dataset.status' | 'dataset.download' | 'dataset.cancelDownload' | 'dataset.import' | 'dataset.samples';

export function datasetHandlers({ dataset }: ServiceParts): Pick<ApiHandlers, DatasetMethods> {
  return {
    'dataset.status': () => dataset.status(),
    'dataset.download': () => dataset.fetch(),
    'dataset.cancelDownload': () => ({ cancelled: dataset.cancelFetch() }),
    'dataset.import': ({ dir }) => dataset.import(dir),
    'dataset.samples': (request) => dataset.samples(request),
  };
}
