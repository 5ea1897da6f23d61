/** A well-formed flag whose value makes no sense (an unknown model, a field out of range): exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
