import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** 24 random bytes as hex: as Jupyter's tokens, long enough that guessing is hopeless. */
export function createAccessToken(): string {
  return randomBytes(24).toString('hex');
}

/** Compares in constant time, so response timing does not leak how much of a guess was right. */
export function tokensMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Addresses only this machine can reach: there the server also checks the Host header (DNS rebinding). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}
