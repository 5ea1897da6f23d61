import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: a bad value is reported with the flag's name and exit status 2. */

/**
 * A number as people write it in decimal: `2`, `0.05`, `-1`, `1e-3`. Number()
 * alone also reads `0x2`, `0b10`, `" 1 "` and `""` (0), which a flag should
 * refuse rather than guess at.
 */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The decimal number `value` spells, or undefined when it spells none. */
export function decimalNumber(value: string): number | undefined {
  return DECIMAL.test(value) ? Number(value) : undefined;
}
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number of 1 or more.');
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a whole number of 0 or more.');
  }
  return n;
}

/** A TCP port: 0 (any free one) to 65535, said in the flag's own words rather than Node's RangeError. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new InvalidArgumentError('expected a port from 0 to 65535 (0: any free one).');
  }
  return n;
}

/**
 * An address to listen on. Node reads an empty host as "every interface": a
 * `--host "$UNSET"` in a script would open the server to the network.
 */
export function listenAddress(value: string): string {
  const host = value.trim();
  if (host === '') {
    throw new InvalidArgumentError('expected an address: 127.0.0.1 (this machine only), 0.0.0.0 or :: (every interface), or an address of this machine.');
  }
  return host;
}

/** A file path that names something: an empty one would silently mean the current folder. */
export function nonEmptyPath(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a file path, not an empty one.');
  return value;
}

export function positiveFloat(value: string): number {
  const n = decimalNumber(value);
  if (n === undefined || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a number greater than 0, e.g. 0.05.');
  }
  return n;
}

export function unitFloat(value: string): number {
  const n = decimalNumber(value);
  if (n === undefined || !Number.isFinite(n) || n < 0 || n >= 1) {
    throw new InvalidArgumentError('expected a number from 0 up to (not including) 1, e.g. 0.9.');
  }
  return n;
}

/** "224x224x3" → [224, 224, 3]; "96" → [96, 96, 1]. */
export function inputShape(value: string): [number, number, number] {
  const parts = value.toLowerCase().split('x').map((p) => p.trim());
  const numbers = parts.map(Number);
  const ok = numbers.every((n, i) => /^\d+$/.test(parts[i]!) && n >= 1);
  if (!ok || parts.length < 1 || parts.length > 3) {
    throw new InvalidArgumentError('expected HEIGHTxWIDTHxCHANNELS, e.g. 224x224x3 (or a single side, e.g. 96).');
  }
  if (numbers.length === 1) return [numbers[0]!, numbers[0]!, 1];
  if (numbers.length === 2) return [numbers[0]!, numbers[1]!, 1];
  return [numbers[0]!, numbers[1]!, numbers[2]!];
}

/** A run id or a unique prefix of one, never empty: an empty --resume must not start a new run instead. */
export function runIdOrPrefix(value: string): string {
  const id = value.trim();
  if (id === '') throw new InvalidArgumentError('expected a run id (or a unique prefix of one), got an empty value.');
  return id;
}
