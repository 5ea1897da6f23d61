import type { RedisOptions } from 'ioredis';
import { redactSecret, redactUrls } from '../shared/redact-urls';
import { queueTlsOptions } from './queue-tls';

/** The CLI and `serve` read the queue's password from here when the URL has none. */
export const QUEUE_PASSWORD_ENV = 'VGG_WORKBENCH_QUEUE_PASSWORD';

export interface QueueAddress {
  /** The URL with any password replaced by `***`: the only form that may be printed or stored. */
  display: string;
  /** ioredis options; they hold the password, so never print them. */
  redis: RedisOptions;
}

// Every URL in a message is redacted by one function (shared/redact-urls.ts); the queue's code imports it from here too.
export { redactSecret, redactUrls };

export class QueueUrlError extends Error {}

/**
 * `redis://[:password@]HOST:PORT[/DB]` or `rediss://…` (TLS). The password
 * may instead come from VGG_WORKBENCH_QUEUE_PASSWORD. Errors name the URL
 * without its password.
 */
export function parseQueueUrl(raw: string, env: NodeJS.ProcessEnv = process.env): QueueAddress {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new QueueUrlError(`--queue ${redactUrls(raw)} is not a URL: write redis://HOST:PORT[/DB], with :PASSWORD@ before the host if it needs one`);
  }
  const tls = url.protocol === 'rediss:';
  if (url.protocol !== 'redis:' && !tls) {
    throw new QueueUrlError(`--queue ${redactUrls(raw)}: the scheme must be redis:// or rediss:// (TLS)`);
  }
  if (!url.hostname) throw new QueueUrlError(`--queue ${redactUrls(raw)} names no host`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbPart = url.pathname.replace(/^\//, '');
  const db = dbPart === '' ? 0 : Number(dbPart);
  if (!Number.isInteger(db) || db < 0) {
    throw new QueueUrlError(`--queue ${redactUrls(raw)}: the database after the port must be a number (e.g. /0)`);
  }
  const decode = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new QueueUrlError(`--queue ${redactUrls(raw)}: the ${what} holds a malformed %-escape: write % itself as %25`);
    }
  };
  const password = url.password ? decode(url.password, 'password') : env[QUEUE_PASSWORD_ENV] || undefined;
  const username = url.username ? decode(url.username, 'user name') : undefined;
  const display = `${url.protocol}//${url.password || url.username ? '***@' : ''}${url.host}${db === 0 ? '' : `/${db}`}`;
  return {
    display,
    redis: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port,
      db,
      ...(password ? { password } : {}),
      ...(username ? { username } : {}),
      ...(tls ? { tls: queueTlsOptions(url.hostname, env) } : {}),
    },
  };
}
