import type { RedisOptions } from 'ioredis';
import { queueTlsOptions } from './queue-tls';

/** The CLI and `serve` read the queue's password from here when the URL has none. */
export const QUEUE_PASSWORD_ENV = 'VGG_WORKBENCH_QUEUE_PASSWORD';

export interface QueueAddress {
  /** The URL with any password replaced by `***`: the only form that may be printed or stored. */
  display: string;
  /** ioredis options; they hold the password, so never print them. */
  redis: RedisOptions;
}

/**
 * Replaces the password (and user) of every redis:// or rediss:// URL in a
 * text by `***`. The one function every message, log line and stored field
 * about a queue goes through, so a secret cannot leak by another road.
 */
export function redactQueueUrls(text: string): string {
  return text.replace(/\b(rediss?:\/\/)[^\s/@]*@/gi, '$1***@');
}

/** Removes a known secret from a text as well, wherever it appears (a library may echo it). */
export function redactSecret(text: string, secret: string | undefined): string {
  const redacted = redactQueueUrls(text);
  return secret ? redacted.split(secret).join('***') : redacted;
}

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
    throw new QueueUrlError(`--queue ${redactQueueUrls(raw)} is not a URL: write redis://[:password@]HOST:PORT[/DB]`);
  }
  const tls = url.protocol === 'rediss:';
  if (url.protocol !== 'redis:' && !tls) {
    throw new QueueUrlError(`--queue ${redactQueueUrls(raw)}: the scheme must be redis:// or rediss:// (TLS)`);
  }
  if (!url.hostname) throw new QueueUrlError(`--queue ${redactQueueUrls(raw)} names no host`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbPart = url.pathname.replace(/^\//, '');
  const db = dbPart === '' ? 0 : Number(dbPart);
  if (!Number.isInteger(db) || db < 0) {
    throw new QueueUrlError(`--queue ${redactQueueUrls(raw)}: the database after the port must be a number (e.g. /0)`);
  }
  const password = url.password ? decodeURIComponent(url.password) : env[QUEUE_PASSWORD_ENV] || undefined;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
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
