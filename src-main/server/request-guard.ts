import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api/api-error';
import { TOKEN_PARAM } from '../api/websocket-api';
import { tokensMatch } from './access-token';

/**
 * The cookie a page load with `?token=` sets, so the page's own requests carry
 * the token. Browsers share cookies across a host's ports, so the name carries
 * the port: two servers in one browser keep a cookie each (as Jupyter's
 * `_xsrf`/`username-<host>-<port>` cookies do).
 */
export const tokenCookieName = (port: number): string => `vgg_workbench_token_${port}`;

export interface GuardOptions {
  /** Required on every request. */
  token: string;
  /** The cookie that may carry it (tokenCookieName of the server's port). */
  cookieName: string;
  /**
   * Host headers accepted (`127.0.0.1:7878`); undefined accepts any. Serving on
   * loopback without a token, this is what stops a web page from reaching us
   * through DNS rebinding (its requests carry its own host name).
   */
  allowedHosts?: ReadonlySet<string>;
}

/** The token a request carries: bearer header, then query, then cookie. */
export function presentedToken(request: IncomingMessage, url: URL, cookieName: string): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const query = url.searchParams.get(TOKEN_PARAM);
  if (query !== null) return query;
  return readCookie(request.headers.cookie, cookieName);
}

/**
 * Checks what every request must satisfy: an accepted Host, the token where
 * one is required, and an Origin (when the browser sends one) of this very
 * server, so another site's page cannot drive the API from a visitor's browser.
 * Returns the refusal, or undefined when the request may go on.
 */
export function checkRequest(request: IncomingMessage, url: URL, options: GuardOptions): ApiError | undefined {
  const host = request.headers.host;
  if (options.allowedHosts && (host === undefined || !options.allowedHosts.has(host.toLowerCase()))) {
    return new ApiError('forbidden', `requests must name this server (Host ${host ?? 'missing'} is not it)`);
  }
  if (!tokensMatch(presentedToken(request, url, options.cookieName), options.token)) {
    return new ApiError(
      'unauthorized',
      'this workbench needs its access token: open the URL that `vgg-workbench serve` printed',
    );
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, host)) {
    return new ApiError('forbidden', `requests from ${origin} are not accepted: only this server's own pages may call it`);
  }
  return undefined;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const parsed = new URL(origin);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** A cookie's value; a malformed one (`%E0%A4%A`) is no token at all, not a server error. */
function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
