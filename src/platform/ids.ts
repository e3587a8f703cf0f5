// Public ids: a type prefix and a ULID body (time-sortable, 26 Crockford base32 characters).
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();
const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function newId(prefix: string): string {
  return `${prefix}_${nextUlid()}`;
}

/** True when `id` is well formed for `prefix`: a wrong prefix is simply not found. */
export function isIdOf(prefix: string, id: string): boolean {
  return id.length === prefix.length + 27 && id.startsWith(prefix + '_') && ID_BODY.test(id.slice(prefix.length + 1));
}
