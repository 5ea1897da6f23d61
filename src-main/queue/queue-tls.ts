import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

/** A PEM file of the private CA that signed a rediss:// server's certificate; `--queue-ca FILE` sets it. */
export const QUEUE_CA_ENV = 'VGG_WORKBENCH_QUEUE_CA';

export class QueueCaError extends Error {}

/**
 * The TLS options of a rediss:// queue. The certificate is checked against
 * the URL's host: a name against its DNS names, an IP address against its IP
 * addresses. An IP is never sent as the SNI server name (RFC 6066 forbids it,
 * and Node warns with DEP0123 on every connection). With a CA file, only that
 * CA is trusted, as for a private Redis; without, the system's roots.
 */
export function queueTlsOptions(urlHostname: string, env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const host = urlHostname.replace(/^\[|\]$/g, '');
  const ca = readCa(env[QUEUE_CA_ENV]);
  return { ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}) };
}

function readCa(path: string | undefined): string | undefined {
  if (!path) return undefined;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new QueueCaError(`--queue-ca ${path}: cannot read the CA certificate (${code}); give the PEM file of the CA that signed the Redis server's certificate`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new QueueCaError(`--queue-ca ${path} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`);
  }
  return pem;
}
