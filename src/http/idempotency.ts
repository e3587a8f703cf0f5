// Idempotency-Key on POST (Stripe's contract): the first response is kept 24 h per account and
// key and replayed byte for byte with `Idempotent-Replayed: true`; a different body under the
// same key is 422 idempotency_key_reused; a duplicate arriving while the first still runs
// waits for it. Never twice: the key is marked `committed` in the same transaction as the
// write, so a key still `in_progress` always means nothing was committed under it.
import type { SecretBox } from '../platform/secret-box.ts';
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { Database, Row } from '../db/database.ts';
import { tenantBatch } from '../db/tenant-transaction.ts';
import { systemQuery } from '../db/system-query.ts';
import { commitWithWrites } from '../db/commit-with-writes.ts';
import { ApiError } from '../platform/errors.ts';
import './context-variables.ts';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A claim this old with nothing committed belongs to a request that died: it may be taken over. */
const ABANDONED_CLAIM_MS = 5 * 60 * 1000;
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 25;
const REPLAYED_HEADERS = ['content-type', 'location'];

const iso = (ms: number) => new Date(ms).toISOString();
/** Responses stored before they were sealed are JSON, which never starts like a sealed value. */
const unseal = (secrets: SecretBox, stored: string) =>
  stored.startsWith('{') || stored.startsWith('[') ? stored : secrets.decrypt(stored);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds until a claim made at `claimedAt` may be taken over: 1 to ABANDONED_CLAIM_MS / 1000. */
function secondsUntilTakeover(claimedAt: unknown, now = Date.now()): number {
  const at = claimedAt instanceof Date ? claimedAt.getTime() : Date.parse(String(claimedAt));
  const limit = ABANDONED_CLAIM_MS / 1000;
  if (!Number.isFinite(at)) return limit;
  return Math.min(limit, Math.max(1, Math.ceil((at + ABANDONED_CLAIM_MS - now) / 1000)));
}

export interface IdempotencyOptions {
  db: Database;
  logger: Logger;
  /** Seals stored responses: some carry a secret shown only once (a webhook signing secret). */
  secrets: SecretBox;
}

/**
 * What a replay must match. The credential is part of it: another
 * key cannot replay this one's response (a new secret, say).
 */
export function idempotencyRequestHash(keyId: string | undefined, method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${keyId ?? ''} ${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

/** `store`'s database, logger and secrets are read per request (a runtime made before its database is ready). */
export function idempotency(store: IdempotencyOptions): MiddlewareHandler {
  let lastSweep = 0;

  /** Claims the key, or returns the row that already holds it (one round trip). */
  async function claim(accountId: string, key: string, requestHash: string): Promise<{ ours: boolean; row: Row }> {
    const now = Date.now();
    const [claimed, [row]] = await tenantBatch(store.db, accountId, [
      {
        sql: `INSERT INTO idempotency_keys AS k (account_id, key, request_hash, status, created_at, updated_at)
              VALUES ($1, $2, $3, 'in_progress', $4, $4)
              ON CONFLICT (account_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = 'in_progress',
                response_status = NULL, response_headers = NULL, response_body = NULL,
                created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
              WHERE k.created_at < $5 OR (k.status = 'in_progress' AND k.updated_at < $6)
              RETURNING true AS claimed`,
        parameters: [
          accountId,
          key,
          requestHash,
          iso(now),
          iso(now - IDEMPOTENCY_WINDOW_MS),
          iso(now - ABANDONED_CLAIM_MS),
        ],
      },
      {
        sql:
          'SELECT request_hash, status, response_status, response_headers, response_body, updated_at ' +
          'FROM idempotency_keys ' +
          'WHERE account_id = $1 AND key = $2',
        parameters: [accountId, key],
      },
    ]);
    if (now - lastSweep > 60_000) {
      lastSweep = now;
      systemQuery(store.db, {
        sql: 'DELETE FROM idempotency_keys WHERE created_at < $1',
        parameters: [iso(now - IDEMPOTENCY_WINDOW_MS)],
      }).catch((error) => store.logger.warn({ err: error }, 'idempotency key sweep failed'));
    }
    return { ours: claimed.length === 1, row };
  }

  async function waitForFirst(accountId: string, key: string): Promise<Row> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const [[row]] = await tenantBatch(store.db, accountId, [
        {
          sql:
            'SELECT request_hash, status, response_status, response_headers, response_body, updated_at ' +
            'FROM idempotency_keys ' +
            'WHERE account_id = $1 AND key = $2',
          parameters: [accountId, key],
        },
      ]);
      if (!row || row.status === 'completed' || Date.now() > deadline) return row;
      await sleep(POLL_MS);
    }
  }

  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header('idempotency-key');
    // Keys are kept per account: a person's session acting in no account has nowhere to keep one.
    if (key === undefined || !c.get('principal')) return next();
    if (!KEY_FORMAT.test(key))
      throw new ApiError('bad_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
        errors: [{ path: 'Idempotency-Key', message: 'invalid format' }],
      });
    const { accountId, keyId, personId, oauthClientId, customerId } = c.get('principal');
    // A key is one caller's: another key, another person or customer
    // of the account or another app reusing it is refused, not replayed.
    const caller =
      keyId ??
      (oauthClientId ? `${oauthClientId}:${personId ?? ''}` : (personId ?? (customerId && `customer:${customerId}`)));
    const requestHash = idempotencyRequestHash(caller, c.req.method, c.req.path, c.get('body'));
    const { ours, row: held } = await claim(accountId, key, requestHash);

    if (!ours) {
      if (held.request_hash !== requestHash) {
        throw new ApiError(
          'idempotency_key_reused',
          'This Idempotency-Key was used with a different request; use a new key for a new request',
        );
      }
      const row = held.status === 'completed' ? held : await waitForFirst(accountId, key);
      if (row?.status === 'completed') {
        return c.body(unseal(store.secrets, row.response_body), row.response_status, {
          ...row.response_headers,
          'Idempotent-Replayed': 'true',
        });
      }
      if (row?.status === 'committed') {
        throw new ApiError(
          'conflict',
          'The request with this Idempotency-Key was carried out, but its response was not recorded; ' +
            'look the result up instead of retrying',
        );
      }
      // Still running, or died without committing: it is the key's until ABANDONED_CLAIM_MS after
      // its claim, when a retry takes it over. Say that wait, not a guess (the first may finish sooner).
      const wait = secondsUntilTakeover(row?.updated_at ?? held.updated_at);
      throw new ApiError(
        'conflict',
        'A request with this Idempotency-Key is still in progress, or stopped before finishing; ' +
          `if it does not finish, a retry takes the key over in ${wait} s`,
        { headers: { 'Retry-After': String(wait) } },
      );
    }

    const markCommitted = {
      sql: `UPDATE idempotency_keys SET status = 'committed', updated_at = $3 WHERE account_id = $1 AND key = $2`,
      parameters: [accountId, key, iso(Date.now())],
    };
    await commitWithWrites([markCommitted], next);

    if (c.res.status >= 400) {
      // Nothing was committed under a failed request: free the key so a corrected retry can run.
      await tenantBatch(store.db, accountId, [
        {
          sql: `DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND status = 'in_progress'`,
          parameters: [accountId, key],
        },
      ]).catch((error) => store.logger.warn({ err: error }, 'could not release an idempotency key'));
      return;
    }
    const body = await c.res.clone().text();
    const headers = Object.fromEntries(
      REPLAYED_HEADERS.flatMap((name) => (c.res.headers.has(name) ? [[name, c.res.headers.get(name)!]] : [])),
    );
    await tenantBatch(store.db, accountId, [
      {
        sql: `UPDATE idempotency_keys SET status = 'completed', response_status = $3, response_headers = $4,
            response_body = $5, updated_at = $6
            WHERE account_id = $1 AND key = $2`,
        parameters: [
          accountId,
          key,
          c.res.status,
          JSON.stringify(headers),
          store.secrets.encrypt(body),
          iso(Date.now()),
        ],
      },
    ]).catch((error) =>
      store.logger.error({ err: error, request_id: c.get('requestId') }, 'could not record an idempotent response'),
    );
  };
}
