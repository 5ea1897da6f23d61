/**
 * JSON for the browser transport. JSON has no NaN or ±Infinity (JSON.stringify
 * writes null), yet a diverged loss is NaN and a replay may run at Infinity
 * speed; these travel as `{"$number": "NaN"}` and come back as numbers.
 * Electron IPC needs none of this: structured clone keeps them.
 */
const MARK = '$number';
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

export function toWireJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'number' && !Number.isFinite(inner) ? { [MARK]: String(inner) } : inner,
  );
}

/** Throws SyntaxError on text that is not JSON. */
export function fromWireJson(text: string): unknown {
  return JSON.parse(text, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const keys = Object.keys(inner);
    const mark = (inner as Record<string, unknown>)[MARK];
    return keys.length === 1 && typeof mark === 'string' && NON_FINITE.has(mark) ? Number(mark) : inner;
  });
}
