import type { ServerResponse } from 'node:http';
import type { ApiEnvelope } from '../api/api-error';
import type { ApiResult } from '../api/methods';
import type { ServiceEndpoint } from '../service/service-endpoint';

/**
 * Browser mode's export as one streamed download: the server pages through
 * `runs.export` itself (the same validated, bounded calls any client makes)
 * and writes each page as it comes, waiting while the browser is behind. The
 * event loop is free between pages, and no page outlives its write.
 * A refusal before the first byte is an ordinary error envelope; a failure
 * after it ends the connection, so the browser reports the download failed.
 */
export async function streamExportDownload(
  service: ServiceEndpoint,
  url: URL,
  response: ServerResponse,
  send: { headers: Record<string, string>; refuse(envelope: ApiEnvelope): void },
): Promise<void> {
  const runIds = (url.searchParams.get('runIds') ?? '').split(',').filter((id) => id !== '');
  const format = url.searchParams.get('format');
  let cursor: string | undefined;
  let started = false;
  do {
    const envelope = await service.dispatch('runs.export', { runIds, format, ...(cursor !== undefined ? { cursor } : {}) });
    if (!envelope.ok) {
      if (started) response.destroy();
      else send.refuse(envelope);
      return;
    }
    // dispatch checked the reply against the method's schema.
    const page = envelope.result as ApiResult<'runs.export'>;
    if (!started) {
      response.writeHead(200, {
        ...send.headers,
        'content-type': `${page.mimeType}; charset=utf-8`,
        'content-disposition': `attachment; filename="${page.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        'cache-control': 'no-store',
      });
      started = true;
    }
    if (!response.write(page.content)) await caughtUp(response);
    if (response.destroyed) return;
    // Other requests go first between pages, whatever the socket's buffer says.
    await new Promise((resolve) => setImmediate(resolve));
    cursor = page.next;
  } while (cursor !== undefined);
  response.end();
}

/** Resolves once the browser has taken what was written, or has gone away (then nothing more is read). */
function caughtUp(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
