// API keys: `fl_{live|test}_{lookup}{secret}`. Only a SHA-256 hash is stored; the key is found
// by its non-secret lookup part and its hash compared in constant time. Verified keys are
// cached briefly so the hot path does not touch the database.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { sqlBuilder, compile } from '../db/sql-builder.ts';
import { newId } from '../platform/ids.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { effectiveRates, planNamed, type RateLimitOverrides } from '../limits/plans.ts';

export type KeyMode = 'live' | 'test';
const KEY_PATTERN = /^fl_(live|test)_([0-9A-Za-z]{12})([0-9A-Za-z]{32})$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62]; // 248 = 4 * 62: no modulo bias
    }
  }
  return out;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export interface NewApiKey {
  accountId: string;
  name: string;
  mode: KeyMode;
  scopes: string[];
  expiresAt?: string;
  /** Per-key changes to the plan's request rates. */
  rateLimits?: RateLimitOverrides;
}

/** The insert for a new key and the secret, which exists only in the caller's hands after this. */
export function prepareApiKey(input: NewApiKey) {
  const lookup = randomBase62(12);
  const secret = `fl_${input.mode}_${lookup}${randomBase62(32)}`;
  const id = newId('key');
  const now = new Date().toISOString();
  const statement = compile(sqlBuilder.insertInto('api_keys').values({
    id, account_id: input.accountId, name: input.name, mode: input.mode, lookup,
    secret_hash: `\\x${sha256(secret).toString('hex')}`, last4: secret.slice(-4),
    scopes: input.scopes, created_at: now, expires_at: input.expiresAt ?? null,
    rate_limits: input.rateLimits ? JSON.stringify(input.rateLimits) : null,
  }));
  return { id, secret, statement };
}

interface StoredKey {
  hash: Buffer;
  expiresAt: number | null;
  revoked: boolean;
  /** Built once per cache fill: every request with this key shares it. */
  principal: Principal;
}

export interface ApiKeyVerifierOptions {
  /** How long a verified key is trusted without asking the database again. */
  cacheTtlMs?: number;
}

export class ApiKeyVerifier {
  readonly #cache: LRUCache<string, StoredKey | 'missing'>;
  readonly #lastUsedWritten = new Map<string, number>();

  constructor(private readonly db: Database, options: ApiKeyVerifierOptions = {}) {
    this.#cache = new LRUCache({ max: 10_000, ttl: options.cacheTtlMs ?? 30_000 });
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

  /** Drops this node's cached keys of an account (after its settings change); other nodes catch up within the TTL. */
  forgetAccount(accountId: string): void {
    for (const [lookup, stored] of this.#cache.entries()) {
      if (stored !== 'missing' && stored.principal.accountId === accountId) this.#cache.delete(lookup);
    }
  }

  async #load(lookup: string): Promise<StoredKey | 'missing'> {
    const cached = this.#cache.get(lookup);
    if (cached) return cached;
    const [row] = await systemQuery(this.db, compile(sqlBuilder.selectFrom('api_keys')
      .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
      .select(['api_keys.id', 'api_keys.account_id', 'secret_hash', 'scopes', 'expires_at', 'revoked_at', 'rate_limits', 'accounts.plan', 'accounts.cors_allowed_origins'])
      .where('lookup', '=', lookup)));
    const plan = row ? planNamed(row.plan) : undefined;
    const stored: StoredKey | 'missing' = row
      ? {
          hash: Buffer.from(row.secret_hash), expiresAt: row.expires_at ? Date.parse(row.expires_at) : null, revoked: row.revoked_at !== null,
          principal: { accountId: row.account_id, keyId: row.id, scopes: new Set(row.scopes), plan: plan!, rates: effectiveRates(plan!, row.rate_limits),
            allowedOrigins: new Set(row.cors_allowed_origins),
          },
        }
      : 'missing';
    // Unknown lookups are remembered briefly too, so guessing keys cannot hammer the database.
    this.#cache.set(lookup, stored, stored === 'missing' ? { ttl: 5_000 } : undefined);
    return stored;
  }

  /** Records last_used_at at most once a minute per key, off the request path. */
  #touch(keyId: string): void {
    const now = Date.now();
    if ((this.#lastUsedWritten.get(keyId) ?? 0) > now - 60_000) return;
    this.#lastUsedWritten.set(keyId, now);
    systemQuery(this.db, compile(sqlBuilder.updateTable('api_keys').set({ last_used_at: new Date(now).toISOString() }).where('id', '=', keyId)))
      .catch(() => this.#lastUsedWritten.delete(keyId));
  }
}
