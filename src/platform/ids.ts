// Public ids: a type prefix and a ULID body (time-sortable, 26 Crockford base32 characters).
import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// ulid's default source asks the OS for one byte per call (16 calls per id); ids are made on
// every request, so draw cryptographic randomness in 4 KiB batches instead.
let pool = randomBytes(4096);
let offset = 0;
function pooledRandom(): number {
  if (offset === pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  return pool[offset++] / 256;
}

const nextUlid = monotonicFactory(pooledRandom);
const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function newId(prefix: string): string {
  return `${prefix}_${nextUlid()}`;
}

/** True when `id` is well formed for `prefix`: a wrong prefix is simply not found. */
export function isIdOf(prefix: string, id: string): boolean {
  return id.length === prefix.length + 27 && id.startsWith(prefix + '_') && ID_BODY.test(id.slice(prefix.length + 1));
}
