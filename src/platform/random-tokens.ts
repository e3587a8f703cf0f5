// The pieces of every secret token Fieldline mints (API keys, calendar feed tokens, sessions, OAuth
// states): unbiased base62 text and the SHA-256 that is all we keep of a token.
import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` random base62 characters, without modulo bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62]; // 248 = 4 * 62: no modulo bias
    }
  }
  return out;
}

export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();
