import { fromWireJson, toWireJson } from '../api/wire-json';
import { cutText } from '../shared/cut-text';
import {
  ARCHITECTURE_MAX_LAYERS,
  CONFUSION_CLASSES,
  ENGINE_DETAIL_MAX_LENGTH,
  ERROR_MAX_LENGTH,
  TIME_MAX_MS,
  WORKER_NAME_MAX_LENGTH,
} from '../shared/runs/run-limits';
import { streamMessageSchema, type StreamMessage } from './queue-messages';

/**
 * One stream entry as it crosses Redis, the trust boundary (docs/workers.md):
 * whoever reaches Redis can append to the streams a hub reads, so an entry is
 * checked like an imported file, with the import's limits. The worker writes
 * wire JSON (api/wire-json.ts) so a diverged loss arrives as NaN, not as the
 * null JSON.stringify makes of it; the hub reads it back the same way.
 */

/**
 * Entries larger than this are refused before they are parsed. The largest a
 * worker writes is a start event (config, engine, warm-start layer names):
 * a few KB.
 */
export const STREAM_ENTRY_MAX_CHARS = 256 * 1024;

/** Short labels (an engine's backend and version, a layer's name, a host's OS or CPU). */
const LABEL_MAX_LENGTH = 255;

type Check = (message: StreamMessage) => string | undefined;

const tooLong = (field: string, text: string | null | undefined, max: number): string | undefined =>
  text !== null && text !== undefined && text.length > max ? `${field} is ${text.length} characters long (at most ${max})` : undefined;

const badTime = (field: string, time: number): string | undefined =>
  Number.isFinite(time) && time >= 0 && time <= TIME_MAX_MS ? undefined : `${field} ${time} is no time (0 to ${TIME_MAX_MS} ms)`;

/** The limits a message's free-form parts keep, field by field; the first one broken is said. */
const checks: Check[] = [
  (m) => ('worker' in m ? tooLong('worker', m.worker, WORKER_NAME_MAX_LENGTH) : undefined),
  (m) => {
    if (m.type !== 'event') return undefined;
    const { event } = m;
    const time = badTime('event.time', event.time);
    if (time) return time;
    if (event.type === 'error') return tooLong('event.message', event.message, ERROR_MAX_LENGTH) ?? (event.suggestions && event.suggestions.length > 50 ? 'event.suggestions holds more than 50 entries' : undefined);
    if (event.type !== 'start') return undefined;
    const { engine, warmStart } = event;
    return (
      tooLong('event.engine.backend', engine.backend, LABEL_MAX_LENGTH) ??
      tooLong('event.engine.version', engine.version, LABEL_MAX_LENGTH) ??
      tooLong('event.engine.detail', engine.detail, ENGINE_DETAIL_MAX_LENGTH) ??
      tooLong('event.warmStart.fromRun', warmStart?.fromRun, 64) ??
      [...(warmStart?.copied ?? []), ...(warmStart?.fresh ?? [])].map((name) => tooLong('event.warmStart layer name', name, LABEL_MAX_LENGTH)).find(Boolean) ??
      ((warmStart?.copied.length ?? 0) + (warmStart?.fresh.length ?? 0) > ARCHITECTURE_MAX_LAYERS ? 'event.warmStart names more layers than a network has' : undefined) ??
      (m.host
        ? (tooLong('host.os', m.host.os, LABEL_MAX_LENGTH) ??
          tooLong('host.cpu', m.host.cpu, LABEL_MAX_LENGTH) ??
          tooLong('host.gpu', m.host.gpu, LABEL_MAX_LENGTH) ??
          tooLong('host.name', m.host.name, WORKER_NAME_MAX_LENGTH))
        : undefined)
    );
  },
  (m) => {
    if (m.type !== 'confusion') return undefined;
    const n = m.matrix.length;
    if (n < 2 || n > CONFUSION_CLASSES) return `matrix has ${n} rows (2 to ${CONFUSION_CLASSES}: one per class)`;
    if (m.matrix.some((row) => row.length !== n)) return 'matrix is not square';
    if (m.matrix.some((row) => row.some((cell) => cell < 0 || !Number.isSafeInteger(cell)))) return 'matrix holds a count that is not a whole number of images';
    return undefined;
  },
];

/** The one schema every entry of a run's stream must meet: the message schema, then its size limits. */
export const streamEntrySchema = streamMessageSchema.superRefine((message, ctx) => {
  for (const check of checks) {
    const problem = check(message);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return;
    }
  }
});

/**
 * The text a worker appends as the entry's `m` field. A true error longer
 * than the hub keeps is cut here, with a mark, rather than refused there.
 */
export function encodeStreamEntry(message: StreamMessage): string {
  if (message.type === 'event' && message.event.type === 'error' && message.event.message.length > ERROR_MAX_LENGTH) {
    return toWireJson({ ...message, event: { ...message.event, message: cutText(message.event.message, ERROR_MAX_LENGTH) } });
  }
  return toWireJson(message);
}

export type DecodedEntry = { ok: true; message: StreamMessage } | { ok: false; reason: string };

/** An entry's `m` field, checked; a refusal says why in words (the first problems, field by field). */
export function decodeStreamEntry(text: string | null | undefined): DecodedEntry {
  if (typeof text !== 'string') return { ok: false, reason: 'it has no field m' };
  if (text.length > STREAM_ENTRY_MAX_CHARS) return { ok: false, reason: `it is ${text.length} characters long (at most ${STREAM_ENTRY_MAX_CHARS})` };
  let value: unknown;
  try {
    value = fromWireJson(text);
  } catch {
    return { ok: false, reason: 'it is not JSON' };
  }
  const parsed = streamEntrySchema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || 'entry'}: ${issue.message}`);
  return { ok: false, reason: issues.join('; ') };
}
