// Tokens that carry their own meaning, for links mailed to people who hold no key (a document, an
// unsubscribe): a base64url JSON payload and its HMAC-SHA256 signature, with a key derived from
// the server's secret key per purpose, so a token made for one use opens nothing else.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Runtime } from './contract.ts';

const sign = (runtime: Runtime, purpose: string, payload: string) =>
  createHmac('sha256', runtime.secrets.derive(purpose)).update(payload).digest('base64url');

/** The URL-safe token for `values` (JSON), signed for `purpose`; with `expiresAt` (ms) it stops opening then. */
export function signToken(runtime: Runtime, purpose: string, values: unknown[], expiresAt?: number): string {
  const body = expiresAt === undefined ? values : [...values, Math.floor(expiresAt / 1000)];
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${sign(runtime, purpose, payload)}`;
}

/**
 * The values a token of `purpose` carries; null for a forged, altered, other-purpose or expired
 * one (all look the same). `expiring`: the token was made with an expiry.
 */
export function openToken(
  runtime: Runtime,
  purpose: string,
  token: string,
  { expiring = false, now = Date.now() } = {},
): unknown[] | null {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(runtime, purpose, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!Array.isArray(values)) return null;
    if (!expiring) return values;
    const expires = values.pop();
    return typeof expires === 'number' && expires * 1000 >= now ? values : null;
  } catch {
    return null;
  }
}

/** The pattern a token matches in a path parameter. */
export const TOKEN_PATTERN = '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';
