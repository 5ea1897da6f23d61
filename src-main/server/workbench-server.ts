import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ApiError, type ApiEnvelope } from '../api/api-error';
import { API_PATH_PREFIX, EVENTS_PATH, EXPORT_DOWNLOAD_PATH, TOKEN_PARAM } from '../api/websocket-api';
import { streamExportDownload } from './export-download';
import { fromWireJson, toWireJson } from '../api/wire-json';
import type { ServiceEndpoint } from '../service/service-endpoint';
import { createAccessToken, isLoopbackHost, tokensMatch } from './access-token';
import { serveEventSocket } from './event-socket';
import { HTTP_STATUS } from './http-status';
import { checkRequest, tokenCookieName, type GuardOptions } from './request-guard';
import { escapeHtml, notBuiltPage, page, rendererIsBuilt, resolveStaticFile, sendFile } from './static-files';
import { errorMessage } from '../shared/error-message';

export interface WorkbenchServerOptions {
  service: ServiceEndpoint;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7878; 0 picks a free port. */
  port?: number;
  /**
   * Every API request, socket and page must present it, on loopback too (another
   * account on this machine reaches loopback as well). Default: a fresh random one.
   */
  token?: string;
  /** The built renderer (out/renderer); a page saying to build it is served when it is missing. */
  rendererDir: string;
  /**
   * Largest request body (an import of many runs is the big one). Default
   * 32 MB: a run with every batch point exports to a few MB, and parsing
   * costs several times the body's size in memory and blocks the loop.
   */
  maxBodyBytes?: number;
}

export interface RunningServer {
  /** http://host:port, with the host as a browser should write it. */
  url: string;
  /** The URL to open: the page at `url` with the token, which sets the token's cookie. */
  openUrl: string;
  port: number;
  token: string;
  /** The cookie that carries the token for this server's pages (its name carries the port). */
  cookieName: string;
  close(): Promise<void>;
}

/** Sent with every response: no MIME sniffing, no referrer leaking the token, no framing. */
const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Browser mode: the built renderer and the workbench API on one port. Calls
 * are JSON POSTs to /api/<method> answered with an envelope; events stream
 * over a WebSocket at /api/events. Same service, same validation as the
 * Electron shell: only the transport differs.
 */
export async function startWorkbenchServer(options: WorkbenchServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const token = options.token ?? createAccessToken();
  if (token.trim() === '') throw new Error('the access token cannot be empty');
  // The cookie's name is set once the port is known: requests only come after listen.
  const guard: GuardOptions = { token, cookieName: tokenCookieName(0) };
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendEnvelope(response, { ok: false, error: new ApiError('internal', errorMessage(error)).toBody() });
      } else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://workbench.invalid');
    const refusal = checkRequest(request, url, guard);
    const isApi = url.pathname.startsWith(API_PATH_PREFIX);
    if (refusal) {
      if (isApi) sendEnvelope(response, { ok: false, error: refusal.toBody() });
      // The message quotes the request's Host or Origin: escaped, and the page may run nothing.
      else sendHtml(response, HTTP_STATUS[refusal.code], page('VGG Workbench', `<p>${escapeHtml(refusal.message)}</p>`));
      return;
    }
    if (isApi) {
      await handleApi(request, response, url);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...BASE_HEADERS, allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === EXPORT_DOWNLOAD_PATH) {
      await streamExportDownload(options.service, url, response, {
        headers: BASE_HEADERS,
        refuse: (envelope) => sendEnvelope(response, envelope),
      });
      return;
    }
    if (tokensMatch(url.searchParams.get(TOKEN_PARAM) ?? undefined, token)) {
      // The page's own fetches and socket then carry the token without knowing it. Cookies
      // ignore ports, so the name carries ours: another server on this host neither
      // replaces it nor has a use for it. HttpOnly: the page's scripts never see it.
      response.setHeader('set-cookie', `${guard.cookieName}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`);
    }
    if (!rendererIsBuilt(options.rendererDir)) {
      sendHtml(response, 503, notBuiltPage(options.rendererDir));
      return;
    }
    const file = resolveStaticFile(options.rendererDir, url.pathname);
    if (!file) {
      sendHtml(response, 404, page('Not found', `<p>Nothing at ${url.pathname.replace(/[<>&"]/g, '')}.</p>`));
      return;
    }
    for (const [name, value] of Object.entries({ ...BASE_HEADERS, 'content-security-policy': csp(request) })) {
      response.setHeader(name, value);
    }
    sendFile(response, file, request.method === 'HEAD');
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = url.pathname.slice(API_PATH_PREFIX.length);
    const refuse = (code: ApiError['code'], message: string) =>
      sendEnvelope(response, { ok: false, error: new ApiError(code, message).toBody() });
    if (url.pathname === EVENTS_PATH) {
      refuse('invalid-request', `${EVENTS_PATH} is a WebSocket: connect with an Upgrade request`);
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      refuse('invalid-request', `call API methods with POST ${API_PATH_PREFIX}<method>`);
      return;
    }
    // Only JSON: a cross-site HTML form can send text/plain without asking, never application/json.
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      refuse('invalid-request', 'send the request as Content-Type: application/json');
      return;
    }
    let text: string;
    try {
      text = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // Refused without reading the rest: the connection closes once the answer is out.
      response.setHeader('connection', 'close');
      response.on('finish', () => request.socket.destroy());
      sendEnvelope(response, { ok: false, error: new ApiError('invalid-request', error.message).toBody() }, 413);
      return;
    }
    let body: unknown;
    try {
      body = text.trim() === '' ? {} : fromWireJson(text);
    } catch (error) {
      refuse('invalid-request', `the request body is not JSON: ${errorMessage(error)}`);
      return;
    }
    sendEnvelope(response, await options.service.dispatch(method, body));
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://workbench.invalid');
    const refusal =
      url.pathname === EVENTS_PATH
        ? checkRequest(request, url, guard)
        : new ApiError('not-found', `no WebSocket at ${url.pathname}`);
    if (refusal) {
      const status = HTTP_STATUS[refusal.code];
      socket.end(`HTTP/1.1 ${status} ${refusal.code}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) =>
      serveEventSocket(ws, (listener) => options.service.subscribe(listener)),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7878, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  guard.cookieName = tokenCookieName(port);
  if (isLoopbackHost(host)) {
    // On loopback, only requests that name us by a loopback name get in (see GuardOptions).
    guard.allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${urlHost}:${port}`]);
  }
  const url = `http://${urlHost}:${port}`;
  return {
    url,
    openUrl: `${url}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
    port,
    token,
    cookieName: guard.cookieName,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Hosts as a browser writes them: a name or address and a port, nothing that could end a CSP directive. */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** The page may talk to this server only, over HTTP and its WebSocket. */
function csp(request: IncomingMessage): string {
  const host = request.headers.host ?? '';
  const sockets = PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** For pages the server writes itself (refusals, not found): no script, no framing, no forms. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sendEnvelope(response: ServerResponse, envelope: ApiEnvelope, statusOverride?: number): void {
  const status = statusOverride ?? (envelope.ok ? 200 : HTTP_STATUS[envelope.error.code]);
  const body = toWireJson(envelope);
  response.writeHead(status, {
    ...BASE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(body);
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    ...BASE_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': PAGE_CSP,
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  response.end(html);
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes (${Math.round(limit / 1024 / 1024)} MB): import fewer runs at a time`);
  }
}

/**
 * The body, counted as it streams in: a declared length over the limit is
 * refused before a byte is read, an undeclared one as soon as it passes it.
 */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      request.pause();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
