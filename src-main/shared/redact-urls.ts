/**
 * The one redaction every message, log line and stored field goes through
 * before it shows a URL: the user-info of every `scheme://user:password@host`
 * becomes `***`, for any scheme (redis, rediss, http, https…).
 *
 * The user-info is taken to run to the *last* `@` of the URL's text, because
 * a password may hold `/`, `:`, `@` or `%` unescaped (`redis://:pa/ss@host`
 * parses with the host after the last `@`). A path or query holding an `@`
 * is redacted too: showing too little is the safe mistake.
 */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s"'<>`]*@/gi;

export function redactUrls(text: string): string {
  return text.replace(USER_INFO, '$1***@');
}

/** Removes a known secret as well, wherever it appears, raw or %-escaped (a library may echo it). */
export function redactSecret(text: string, secret: string | undefined): string {
  let redacted = redactUrls(text);
  if (!secret) return redacted;
  for (const form of new Set([secret, encodeURIComponent(secret)])) redacted = redacted.split(form).join('***');
  return redacted;
}
