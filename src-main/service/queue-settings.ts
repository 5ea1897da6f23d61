import { parseQueueUrl, QueueUrlError } from '../queue/queue-url';
import { QUEUE_CA_ENV } from '../queue/queue-tls';

/** The desktop app's queue, as its Queue panel saved it: the password is the store's to keep safe. */
export interface SavedQueue {
  url: string;
  password?: string;
  caFile?: string;
}

/**
 * Where the desktop app keeps its queue settings (electron/queue-settings-file.ts:
 * the password encrypted with Electron's safeStorage). `serve` has none: its
 * queue comes from --queue and VGG_WORKBENCH_QUEUE_PASSWORD, never from the page.
 */
export interface QueueSettingsStore {
  load(): SavedQueue | undefined;
  /** Throws why when it cannot keep the password safe (no keyring on this system). */
  save(settings: SavedQueue): void;
  clear(): void;
}

export class QueueSettingsError extends Error {
  constructor(
    message: string,
    readonly field: 'url' | 'password' | 'caFile',
  ) {
    super(message);
  }
}

/** Checks what the panel sends before anything is saved: a queue URL without a password in it (the password has its own field). */
export function checkSavedQueue(settings: SavedQueue): SavedQueue {
  let url: URL;
  try {
    parseQueueUrl(settings.url, {});
    url = new URL(settings.url);
  } catch (error) {
    if (error instanceof QueueUrlError) throw new QueueSettingsError(error.message.replace(/^--queue /, ''), 'url');
    throw error;
  }
  if (url.password || url.username) {
    throw new QueueSettingsError('put the password in the Password field, not in the URL: the URL is shown, the password is kept encrypted', 'url');
  }
  return settings;
}

/**
 * What the service opens with: the URL with the password in it (it never leaves
 * the main process; every text about it is redacted) and the CA file set where
 * every parse of a queue URL looks.
 */
export function queueUrlFor(settings: SavedQueue, env: NodeJS.ProcessEnv = process.env): string {
  if (settings.caFile) env[QUEUE_CA_ENV] = settings.caFile;
  else delete env[QUEUE_CA_ENV];
  if (!settings.password) return settings.url;
  const url = new URL(settings.url);
  url.password = encodeURIComponent(settings.password);
  return url.toString().replace(/\/$/, '');
}
