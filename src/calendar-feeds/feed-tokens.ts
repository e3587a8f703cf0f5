// Calendar feed tokens: `flcal_{lookup}{secret}`, the whole credential of a feed's URL (calendar
// apps send no other). Only a SHA-256 hash is stored, found by the non-secret lookup part and
// compared in constant time; an unknown token is compared against a dummy hash, so unknown and
// revoked tokens (whose rows are gone) take the same path and the same time. A member's feed ends
// with their membership: an inactive or removed member's URL no longer opens their old jobs.
import { timingSafeEqual } from 'node:crypto';
import { randomBase62, sha256 } from '../platform/random-tokens.ts';
import type { Database } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemQuery } from '../db/system-query.ts';

const TOKEN_PATTERN = /^flcal_([0-9A-Za-z]{12})([0-9A-Za-z]{32})$/;
/** The token as a path segment documents it (the route adds `.ics`). */
export const FEED_TOKEN_PATTERN = '^flcal_[0-9A-Za-z]{44}$';

const DUMMY_HASH = sha256('flcal_no-such-token');

export interface MintedFeedToken {
  token: string;
  lookup: string;
  /** What may be shown later to recognise the token: `flcal_` and the lookup part. */
  prefix: string;
}

/** ~262 bits of randomness (44 base62 characters), of which 190 are the secret part. */
export function mintFeedToken(): MintedFeedToken {
  const lookup = randomBase62(12);
  return { token: `flcal_${lookup}${randomBase62(32)}`, lookup, prefix: `flcal_${lookup}` };
}

/** The feed's URL for a token (`https://api.example.com/v1/calendar/flcal_....ics`), and its webcal:// twin. */
export function feedUrls(publicUrl: string, token: string) {
  const url = `${publicUrl.replace(/\/$/, '')}/v1/calendar/${token}.ics`;
  return { url, webcal_url: url.replace(/^https?:/, 'webcal:') };
}

/** Stores a minted token as the feed's only one (any earlier token stops working at commit). */
export function replaceFeedToken(
  accountId: string,
  feedId: string,
  minted: MintedFeedToken,
  now: string,
): SqlStatement[] {
  return [
    forgetFeedTokens(feedId),
    {
      sql:
        'INSERT INTO calendar_feed_tokens (lookup, account_id, feed_id, token_hash, created_at) ' +
        'VALUES ($1, $2, $3, $4, $5)',
      parameters: [minted.lookup, accountId, feedId, `\\x${sha256(minted.token).toString('hex')}`, now],
    },
  ];
}

export const forgetFeedTokens = (feedId: string): SqlStatement => ({
  sql: 'DELETE FROM calendar_feed_tokens WHERE feed_id = $1',
  parameters: [feedId],
});

export interface FeedOfToken {
  feedId: string;
  accountId: string;
  technicianId: string | null;
  name: string | null;
}

const FIND_TOKEN = `SELECT t.token_hash, f.id, f.account_id, f.technician_id, f.name
    FROM calendar_feed_tokens t
    JOIN calendar_feeds f ON f.id = t.feed_id AND f.account_id = t.account_id
   WHERE t.lookup = $1 AND f.status = 'active' AND f.deleted_at IS NULL
     AND (f.technician_id IS NULL OR EXISTS (
           SELECT 1 FROM users u WHERE u.account_id = f.account_id AND u.id = f.technician_id
              AND u.status = 'active' AND u.deleted_at IS NULL))`;

const asBuffer = (value: unknown): Buffer =>
  Buffer.isBuffer(value) ? value : value instanceof Uint8Array ? Buffer.from(value) : Buffer.alloc(32);

/**
 * The live feed a presented token opens, or null. No tenant is known yet (the token is the
 * credential), so the lookup reads across accounts; everything after it runs in the feed's own.
 */
export async function feedOfToken(db: Database, presented: string): Promise<FeedOfToken | null> {
  const match = TOKEN_PATTERN.exec(presented);
  const [row] = match ? await systemQuery(db, { sql: FIND_TOKEN, parameters: [match[1]] }) : [];
  const matches = timingSafeEqual(sha256(presented), row ? asBuffer(row.token_hash) : DUMMY_HASH);
  if (!row || !matches) return null;
  return { feedId: row.id, accountId: row.account_id, technicianId: row.technician_id, name: row.name };
}
