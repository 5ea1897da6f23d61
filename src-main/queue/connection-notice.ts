import { errorMessage } from '../shared/error-message';

/** Errors that mean "Redis is not there right now": each retry of a reconnect raises one. */
const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|Connection is closed|Socket closed unexpectedly/i;

export function isConnectionError(error: unknown): boolean {
  return CONNECTION_ERROR.test(errorMessage(error)) || CONNECTION_ERROR.test(String((error as NodeJS.ErrnoException | undefined)?.code ?? ''));
}

/**
 * What a process says while its queue is away: one line when the first of
 * its connections loses Redis, one when one is back; every retry in between,
 * from every connection and from BullMQ, is quiet. A restarted Redis printed
 * a stack trace per retry before.
 */
export class ConnectionNotice {
  private down = false;

  constructor(
    private readonly display: string,
    private readonly say: (line: string) => void,
    private readonly redact: (text: string) => string,
  ) {}

  lost(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.say(`queue ${this.display}: connection lost (${this.redact(firstLine(errorMessage(error)))}); reconnecting`);
  }

  back(): void {
    if (!this.down) return;
    this.down = false;
    this.say(`queue ${this.display}: connected again`);
  }
}

const firstLine = (text: string): string => text.split('\n', 1)[0] ?? '';

/** One notice per reporting function: a process's connections to one queue share it, and so say it once. */
const notices = new WeakMap<(line: string) => void, ConnectionNotice>();

export function connectionNotice(display: string, say: (line: string) => void, redact: (text: string) => string): ConnectionNotice {
  let notice = notices.get(say);
  if (!notice) {
    notice = new ConnectionNotice(display, say, redact);
    notices.set(say, notice);
  }
  return notice;
}
