/**
 * Wraps a reload so that at most one runs at a time, and a call made while one
 * is in flight runs it once more afterwards (calls in between fold into that
 * one). Every call's promise settles after a reload that began after the call.
 *
 * Why: in browser mode each API call is its own HTTP request, and two
 * overlapping ones can answer out of order. A list read before a run finished
 * could then land after the one read since, and show the finished run as
 * running until the next change. Serialised, the last reply applied is always
 * the last one asked for.
 */
export function serialReload(reload: () => Promise<void>): () => Promise<void> {
  let inFlight: Promise<void> | undefined;
  let again = false;

  async function drain(): Promise<void> {
    try {
      for (;;) {
        again = false;
        try {
          await reload();
        } catch (error) {
          // A call made meanwhile still gets its reload; the failure is reported only when none is owed.
          if (!again) throw error;
        }
        if (!again) return;
      }
    } finally {
      inFlight = undefined;
    }
  }

  return () => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = drain();
    return inFlight;
  };
}
