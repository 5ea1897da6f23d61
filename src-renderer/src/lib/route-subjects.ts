/**
 * What a view's address says it shows, read from vue-router's params and
 * query (strings or arrays of them). Pure, so the parsing is unit-tested.
 */

type ParamValue = string | null | undefined | readonly (string | null)[];

/** The first non-empty string of a route param or query value, else null. */
export function firstString(value: ParamValue): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : null;
}

/** `?runs=a,b` → ['a', 'b']: comma separated, blanks and repeats dropped, order kept. */
export function runIdList(value: ParamValue): string[] {
  const all = (Array.isArray(value) ? value : [value]).flatMap((part) => (typeof part === 'string' ? part.split(',') : []));
  return [...new Set(all.map((id) => id.trim()).filter((id) => id !== ''))];
}

/** The query that `runIdList` reads back: no `runs` key at all for an empty list. */
export function runIdQuery(ids: readonly string[]): { runs?: string } {
  return ids.length > 0 ? { runs: ids.join(',') } : {};
}
