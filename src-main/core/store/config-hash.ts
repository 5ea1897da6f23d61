import { sha256Hex } from '../checkpoint/sha256';

/**
 * JSON with object keys sorted at every level and no whitespace, so two equal
 * configs serialise to the same bytes whatever order their keys were built in.
 * Undefined properties are dropped, as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const record = inner as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    );
  });
}

/** The hash stored with every run: equal hashes mean equal configs. */
export const configHash = (config: unknown): string => sha256Hex(canonicalJson(config));
