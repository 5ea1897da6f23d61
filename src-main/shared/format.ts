/**
 * Numbers as people read them, for the GUI and the CLI alike: one module,
 * Intl's en-US formats (not the machine's locale, so outputs and tests agree everywhere).
 */

const formats = new Map<number, Intl.NumberFormat>();
/** `value` with at most `digits` decimals, grouped: 1786 → "1,786". */
function decimal(value: number, digits: number): string {
  let format = formats.get(digits);
  if (!format) formats.set(digits, (format = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits })));
  return format.format(value);
}

/**
 * Three significant digits and a unit, the same precision at every size:
 * 1234 → "1.23k", 61710 → "61.7k", 445000 → "445k", 138357544 → "138M".
 */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Math.abs(value) < 1e3) return String(Math.round(value));
  // Rounded first, so 999,999 reads "1.00M", not "1000k".
  const rounded = Number(value.toPrecision(3));
  const [scale, unit] = Math.abs(rounded) >= 1e9 ? [1e9, 'G'] : Math.abs(rounded) >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
  const scaled = rounded / scale;
  const abs = Math.abs(scaled);
  return `${scaled.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2)}${unit}`;
}

/** An accuracy in 0..1 as the book writes it (0.83), with one more digit. */
export function formatAccuracy(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(3);
}

/** 75 → "1 min 15 s", 3725 → "1 h 02 min", 4.2 → "4.2 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * Binary sizes in the units task managers show: the wasm engine's 4 GiB heap
 * reads "4 GB"; "9.8 GB", "528 MB", "1.5 kB", "512 B". One decimal below 10.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${decimal(value, unit === 0 || Math.abs(value) >= 10 ? 0 : 1)} ${units[unit]}`;
}

/** 138357544 → "138,357,544": whole numbers grouped, the same on every machine's locale. */
export function formatInteger(value: number): string {
  return decimal(Math.round(value), 0);
}

/** [48, 48, 64] → "48×48×64". */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}

export function formatDateTime(ms: number | null): string {
  if (ms === null) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** A throughput: "1,786", "119", "4.6". */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value < 10 ? value.toFixed(1) : decimal(value, 0);
}

/** `1 epoch`, `3 epochs`: never `3 epoch(s)`. */
export function epochCount(count: number): string {
  return `${count} epoch${count === 1 ? '' : 's'}`;
}

/** `1 run`, `4 runs`: a count with its noun in the right number. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
