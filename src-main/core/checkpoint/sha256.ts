import { createHash } from 'node:crypto';

/** A file's or a string's SHA-256, as the store records it for checkpoints and configs. */
export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
