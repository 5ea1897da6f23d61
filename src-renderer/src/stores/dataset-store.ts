import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { DatasetStatus } from '../../../src-main/api/entities';
import { describeError, type ShownError } from '../lib/describe-error';
import { useApiStore } from './api-store';

export interface DownloadProgress {
  file: string;
  receivedBytes: number;
  totalBytes?: number;
}

/** Fashion-MNIST on this machine: where it is, and a download's progress from the `dataset` topic. */
export const useDatasetStore = defineStore('dataset', () => {
  const api = useApiStore();
  const status = shallowRef<DatasetStatus | null>(null);
  const progress = shallowRef<DownloadProgress | null>(null);
  const error = ref<ShownError | null>(null);

  async function load(): Promise<void> {
    try {
      status.value = await api.call('dataset.status', {});
    } catch (caught) {
      error.value = describeError(caught);
    }
  }

  api.on('dataset', ({ progress: update }) => {
    switch (update.kind) {
      case 'progress':
        progress.value = { file: update.file, receivedBytes: update.receivedBytes, totalBytes: update.totalBytes };
        if (status.value && !status.value.downloading) status.value = { ...status.value, downloading: true };
        break;
      case 'done':
      case 'cancelled':
        progress.value = null;
        void load();
        break;
      case 'failed':
        progress.value = null;
        error.value = { message: update.message };
        void load();
        break;
    }
  });
  api.onResync(() => void load());

  async function download(): Promise<void> {
    error.value = null;
    try {
      status.value = await api.call('dataset.download', {});
    } catch (caught) {
      error.value = describeError(caught);
    }
  }

  async function cancelDownload(): Promise<void> {
    await api.call('dataset.cancelDownload', {});
  }

  /** Throws so the form can show the message next to its folder field. */
  async function importFolder(dir: string): Promise<void> {
    status.value = await api.call('dataset.import', { dir });
  }

  return { status, progress, error, load, download, cancelDownload, importFolder };
});
