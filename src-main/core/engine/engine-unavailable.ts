/**
 * Why an engine cannot be used here, and what the user can do about it.
 * `reason` is the shortened real error; `fix` is one actionable sentence.
 */
export class EngineUnavailableError extends Error {
  constructor(
    readonly reason: string,
    readonly fix?: string,
  ) {
    super(fix ? `${reason}. Fix: ${fix}` : reason);
    this.name = 'EngineUnavailableError';
  }
}

/** First line of an error message, at most `max` characters: enough to recognise, short enough for a table. */
export function shortenMessage(message: string, max = 200): string {
  const firstLine = message.trim().split('\n')[0].trim().replace(/\.$/, '');
  return firstLine.length <= max ? firstLine : `${firstLine.slice(0, max - 1)}…`;
}
