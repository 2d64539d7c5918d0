// Object ids: a kind prefix and 16 random base32 characters (80 bits), like the clouds' ids.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

// Random bytes drawn in blocks: one small randomBytes call per id costs more than the rest of it.
let pool = Buffer.alloc(0);
let used = 0;

export function newId(prefix: string): string {
  if (used + 16 > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  let out = '';
  for (let i = used; i < used + 16; i++) out += ALPHABET[pool[i] & 31];
  used += 16;
  return `${prefix}-${out}`;
}
