// API keys: `fl_{live|test}_{lookup}{secret}`. Only a SHA-256 hash is stored, in
// api_key_secrets (a rotated key has two secrets for a while); the key is found by its
// non-secret lookup part and its hash compared in constant time. Verified keys are cached so
// the hot path does not touch the database; a change to a key or its account is announced
// by NOTIFY on `fieldline_api_keys` and every node drops what it cached at once. The cache's
// TTL only bounds how long a node that missed a notice (a lost LISTEN connection) trusts it.
// With Redis, a change also bumps the key's version, checked on each use (credential-versions.ts):
// NOTIFY arrives a few milliseconds late, and the client's next request on another node must not.
import { timingSafeEqual } from 'node:crypto';
import { randomBase62, sha256 } from '../platform/random-tokens.ts';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemQuery } from '../db/system-query.ts';
import { newId } from '../platform/ids.ts';
import { accountStatusField, type Principal } from '../platform/operations/principal.ts';
import { effectiveRates, type RateLimitOverrides } from '../limits/plans.ts';
import { planFromRow, planOfAccountSql } from '../billing/plan-rows.ts';
import { stillCurrent, type CredentialVersions } from './credential-versions.ts';
import { sandboxAccountOf } from '../sandbox/sandbox-accounts.ts';

export const KEY_MODES = ['live', 'test'] as const;
export type KeyMode = (typeof KEY_MODES)[number];
const KEY_PATTERN = /^fl_(live|test)_([0-9A-Za-z]{12})([0-9A-Za-z]{32})$/;
/** Changes to credentials (keys, sessions, members, accounts) are announced here; every node listens. */
export const CREDENTIAL_CHANGES_CHANNEL = 'fieldline_api_keys';

/** A new secret for a key: the secret itself (for the caller's hands only) and what may be shown. */
export function mintKeySecret(mode: KeyMode) {
  const lookup = randomBase62(12);
  const secret = `fl_${mode}_${lookup}${randomBase62(32)}`;
  return { secret, lookup, prefix: `fl_${mode}_${lookup}`, last4: secret.slice(-4) };
}

/** Stores the hash of a minted `secret` as one of key `keyId`'s secrets, found by its lookup part. */
export function keySecretInsert(keyId: string, accountId: string, secret: string, now: string): SqlStatement {
  const lookup = KEY_PATTERN.exec(secret)![2];
  return {
    sql:
      'INSERT INTO api_key_secrets (lookup, key_id, account_id, secret_hash, created_at) ' +
      'VALUES ($1, $2, $3, $4, $5)',
    parameters: [lookup, keyId, accountId, `\\x${sha256(secret).toString('hex')}`, now],
  };
}

/** Tells every node (this one included) to forget what it cached about a key; sent at commit. */
export function keyChangeNotice(keyId: string): SqlStatement {
  return { sql: 'SELECT pg_notify($1, $2)', parameters: [CREDENTIAL_CHANGES_CHANNEL, `key:${keyId}`] };
}

/** Tells every node to forget cached sessions of a session, a person or an account; sent at commit. */
export function credentialChangeNotice(kind: 'session' | 'person' | 'account', id: string): SqlStatement {
  return { sql: 'SELECT pg_notify($1, $2)', parameters: [CREDENTIAL_CHANGES_CHANNEL, `${kind}:${id}`] };
}

/** The same notice as an SQL expression, for a statement that has the account id as parameter `$n`. */
export const accountChangeNoticeSql = (parameter: string) =>
  `pg_notify('${CREDENTIAL_CHANGES_CHANNEL}', 'account:' || ${parameter})`;

export interface NewApiKey {
  accountId: string;
  name: string;
  mode: KeyMode;
  scopes: string[];
  expiresAt?: string;
  /** Per-key changes to the plan's request rates (set by operators; not part of the public API). */
  rateLimits?: RateLimitOverrides;
}

/** The inserts for a key made outside the API (an account's first key) and its secret. */
export function prepareApiKey(input: NewApiKey) {
  const id = newId('key');
  const now = new Date().toISOString();
  const minted = mintKeySecret(input.mode);
  const statements: SqlStatement[] = [
    {
      sql: `INSERT INTO api_keys (id, account_id, name, mode, scopes, expires_at, prefix, last4, status, rate_limits,
            created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $10)`,
      parameters: [
        id,
        input.accountId,
        input.name,
        input.mode,
        input.scopes,
        input.expiresAt ?? null,
        minted.prefix,
        minted.last4,
        input.rateLimits ? JSON.stringify(input.rateLimits) : null,
        now,
      ],
    },
    keySecretInsert(id, input.accountId, minted.secret, now),
  ];
  return { id, secret: minted.secret, statements };
}

interface StoredKey {
  hash: Buffer;
  /** The earlier of the key's expiry and this secret's (a rotated-out secret's grace period). */
  expiresAt: number | null;
  revoked: boolean;
  /** Built once per cache fill: every request with this key shares it. */
  principal: Principal;
  /** Its subjects' versions when it was read (credential-versions.ts); absent without Redis. */
  versions?: string[];
}

/** What a change to a key bumps, and a node checks before trusting its cached copy. */
const keySubjects = (principal: Principal) => [
  `key:${principal.keyId}`,
  `account:${principal.accountId}`,
  ...(principal.sandboxOf ? [`account:${principal.sandboxOf}`] : []),
];

export interface ApiKeyVerifierOptions {
  /** How long a verified key is trusted without asking the database again, if no notice arrives. */
  cacheTtlMs?: number;
  logger?: Logger;
  /** Checked on every use of a cached key, so a change through another node applies at once. */
  versions?: CredentialVersions;
}

const earlier = (a: string | null, b: string | null) => {
  const times = [a, b].filter((t): t is string => t !== null).map((t) => Date.parse(t));
  return times.length ? Math.min(...times) : null;
};

/**
 * The account a key acts in: a test key's is its account's sandbox (made on first use), unless
 * the key predates test mode (legacy_live_test) or already belongs to a sandbox.
 */
async function keyAccount(db: Database, row: Record<string, any>): Promise<Pick<Principal, 'accountId' | 'sandboxOf'>> {
  if (row.sandbox_of) return { accountId: row.account_id, sandboxOf: row.sandbox_of };
  if (row.mode !== 'test' || row.legacy_live_test) return { accountId: row.account_id };
  const sandboxId = row.sandbox_id ?? (await sandboxAccountOf(db, row.account_id));
  if (!sandboxId) throw new Error(`The sandbox of account ${row.account_id} could not be made`);
  return { accountId: sandboxId, sandboxOf: row.account_id };
}

export class ApiKeyVerifier {
  readonly #cache: LRUCache<string, StoredKey | 'missing'>;
  readonly #lastUsedWritten = new Map<string, number>();
  #unlisten: (() => Promise<void>) | undefined;
  /** Raised by every forget: a load that began before one must not cache what it read. */
  #generation = 0;

  constructor(
    private readonly db: Database,
    private readonly options: ApiKeyVerifierOptions = {},
  ) {
    this.#cache = new LRUCache({ max: 10_000, ttl: options.cacheTtlMs ?? 30_000 });
  }

  /** Listens for key changes made through any node. */
  async start(): Promise<void> {
    // Notices missed while the LISTEN session was down could be anything: forget everything.
    const onReconnect = () => this.#forgetWhere(() => true);
    this.#unlisten = await this.db
      .listen(CREDENTIAL_CHANGES_CHANNEL, (notice) => this.#onNotice(notice), { onReconnect })
      .catch((err) => {
        this.options.logger?.warn(
          { err },
          "API key changes cannot be LISTENed for; other nodes' changes apply after the cache TTL",
        );
        return undefined;
      });
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    this.#unlisten = undefined;
  }

  /** The principal for a presented key, or null when it is not a valid, live key. */
  async verify(presented: string): Promise<Principal | null> {
    const match = KEY_PATTERN.exec(presented);
    if (!match) return null;
    const stored = await this.#load(match[2]);
    if (stored === 'missing' || stored.revoked) return null;
    if (!timingSafeEqual(sha256(presented), stored.hash)) return null;
    if (stored.expiresAt !== null && stored.expiresAt <= Date.now()) return null;
    this.#touch(stored.principal.keyId!);
    return stored.principal;
  }

  /** Drops this node's cached secrets of a key (other nodes hear of it by keyChangeNotice). */
  forgetKey(keyId: string): void {
    this.#forgetWhere((principal) => principal.keyId === keyId);
  }

  /** Drops this node's cached keys of an account (after its plan or origins change). */
  forgetAccount(accountId: string): void {
    // A live account's change (its plan, suspension) is also its sandbox's.
    this.#forgetWhere((principal) => principal.accountId === accountId || principal.sandboxOf === accountId);
  }

  #forgetWhere(matches: (principal: Principal) => boolean): void {
    this.#generation++;
    for (const [lookup, stored] of this.#cache.entries()) {
      if (stored !== 'missing' && matches(stored.principal)) this.#cache.delete(lookup);
    }
  }

  #onNotice(notice: string): void {
    const [kind, id] = notice.split(':', 2);
    if (kind === 'key') this.forgetKey(id);
    else if (kind === 'account') this.forgetAccount(id);
  }

  async #load(lookup: string): Promise<StoredKey | 'missing'> {
    const cached = this.#cache.get(lookup);
    const versions = this.options.versions;
    if (cached === 'missing' || (cached && !versions?.shared)) return cached;
    if (cached && stillCurrent(cached.versions, await versions!.read(keySubjects(cached.principal)))) return cached;
    const generation = this.#generation;
    const [row] = await systemQuery(this.db, {
      sql: `SELECT k.id, k.account_id, s.secret_hash, k.scopes, k.expires_at, s.expires_at AS secret_expires_at,
                   k.status, k.rate_limits, ${planOfAccountSql('a')} AS plan_row, a.cors_allowed_origins,
                   k.mode, k.legacy_live_test, a.sandbox_of, sandbox.id AS sandbox_id,
                   a.status AS account_status
              FROM api_key_secrets s JOIN api_keys k ON k.id = s.key_id JOIN accounts a ON a.id = k.account_id
              LEFT JOIN accounts sandbox ON sandbox.sandbox_of = a.id
             WHERE s.lookup = $1`,
      parameters: [lookup],
    });
    const plan = row ? planFromRow(row.plan_row) : undefined;
    const actsIn = row ? await keyAccount(this.db, row) : undefined;
    const stored: StoredKey | 'missing' = row
      ? {
          hash: Buffer.from(row.secret_hash),
          expiresAt: earlier(row.expires_at, row.secret_expires_at),
          revoked: row.status !== 'active',
          principal: {
            ...actsIn!,
            keyId: row.id,
            scopes: new Set(row.scopes),
            plan: plan!,
            rates: effectiveRates(plan!, row.rate_limits),
            allowedOrigins: new Set(row.cors_allowed_origins),
            ...accountStatusField(row.account_status),
          },
        }
      : 'missing';
    if (stored !== 'missing' && versions?.shared)
      stored.versions = (await versions.read(keySubjects(stored.principal))) ?? undefined;
    // A change announced while the query ran may postdate what it read: use it, do not keep it.
    if (generation !== this.#generation) return stored;
    // Unknown lookups are remembered briefly too, so guessing keys cannot hammer the database.
    this.#cache.set(lookup, stored, stored === 'missing' ? { ttl: 5_000 } : undefined);
    return stored;
  }

  /** Records last_used_at at most once a minute per key, off the request path. */
  #touch(keyId: string): void {
    const now = Date.now();
    if ((this.#lastUsedWritten.get(keyId) ?? 0) > now - 60_000) return;
    this.#lastUsedWritten.set(keyId, now);
    systemQuery(this.db, {
      sql: 'UPDATE api_keys SET last_used_at = $2 WHERE id = $1',
      parameters: [keyId, new Date(now).toISOString()],
    }).catch(() => this.#lastUsedWritten.delete(keyId));
  }
}
