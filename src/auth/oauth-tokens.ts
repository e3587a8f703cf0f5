// OAuth access tokens -> principals, off the database once warm, like API keys and sessions.
// A token a member granted acts as that member in the account of the grant, with the scopes
// granted AND still held by their role (a demoted member's apps lose what the member lost); a
// client-credentials token acts as the client's own account with the client's scopes. Revocation
// reaches every node's CredentialCache by NOTIFY from a trigger on the token table (migration
// 0011_oauth), so every way a token ends is heard, Better Auth's included.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { accountStatusField, hasScope, type Principal } from '../platform/operations/principal.ts';
import { effectiveRates } from '../limits/plans.ts';
import { planFromRow, planOfAccountSql } from '../billing/plan-rows.ts';
import { CredentialCache } from './credential-cache.ts';
import type { CredentialVersions } from './credential-versions.ts';
import { memberPrincipal } from './member-principal.ts';
import { OAUTH_ACCESS_TOKEN_PREFIX, OAUTH_REFRESH_TOKEN_PREFIX } from './oauth-provider.ts';
import type { Registry } from '../platform/contract.ts';

/** How the token table stores a token: SHA-256, base64url, of the token without its prefix (Better Auth's "hashed"). */
export function storedTokenHash(token: string): string {
  const bare = token.startsWith(OAUTH_ACCESS_TOKEN_PREFIX)
    ? token.slice(OAUTH_ACCESS_TOKEN_PREFIX.length)
    : token.startsWith(OAUTH_REFRESH_TOKEN_PREFIX)
      ? token.slice(OAUTH_REFRESH_TOKEN_PREFIX.length)
      : token;
  return createHash('sha256').update(bare).digest('base64url');
}

interface CachedGrant {
  principal: Principal;
  refreshId: string | null;
  expiresAt: number;
}

export type OAuthChange = 'token' | 'refresh' | 'client' | 'person' | 'account';

export class OAuthTokenVerifier {
  readonly #cache: CredentialCache<CachedGrant>;

  constructor(
    private readonly db: Database,
    private readonly registry: Registry,
    options: { cacheTtlMs?: number; logger?: Logger; versions?: CredentialVersions } = {},
  ) {
    this.#cache = new CredentialCache(db, {
      what: 'OAuth token',
      ttlMs: options.cacheTtlMs,
      logger: options.logger,
      // A member's grant acts with the member's role: a role change (person:ID) applies at once.
      versions: options.versions,
      subjects: ({ principal }) => [
        ...(principal.personId ? [`person:${principal.personId}`] : []),
        `account:${principal.accountId}`,
      ],
      onNotice: (kind, id) => {
        if (kind === 'oauth-token') this.forget('token', id);
        else if (kind === 'oauth-client') this.forget('client', id);
        else if (kind === 'person' || kind === 'account') this.forget(kind, id);
      },
    });
  }

  start(): Promise<void> {
    return this.#cache.start();
  }

  stop(): Promise<void> {
    return this.#cache.stop();
  }

  /** The principal of a live access token, or null. */
  async verify(token: string): Promise<Principal | null> {
    const tokenHash = storedTokenHash(token);
    return (await this.#cache.get(tokenHash, () => this.#load(tokenHash)))?.principal ?? null;
  }

  /**
   * Forgets on this node: a token (by stored hash), the access tokens of
   * a refresh token (its id), a client's, a person's or an account's.
   */
  forget(kind: OAuthChange, id: string): void {
    if (kind === 'token') this.#cache.forgetKey(id);
    else
      this.#cache.forgetWhere(({ principal, refreshId }) =>
        kind === 'refresh'
          ? refreshId === id
          : kind === 'client'
            ? principal.oauthClientId === id
            : kind === 'person'
              ? principal.personId === id
              : principal.accountId === id,
      );
  }

  async #load(tokenHash: string): Promise<CachedGrant | null> {
    const [row] = await systemQuery(this.db, {
      sql: `SELECT t.scopes, t.person_id, t.reference_id, t.refresh_id, t.expires_at, c.client_id,
              c.scopes AS client_scopes, c.allowed_origins AS client_origins, c.reference_id AS client_account_id
              FROM oauth_access_tokens t JOIN oauth_clients c ON c.client_id = t.client_id
             WHERE t.token = $1 AND t.revoked IS NULL AND t.expires_at > now() AND c.disabled IS NOT TRUE`,
      parameters: [tokenHash],
    });
    const principal = row ? await this.#principal(row) : null;
    return principal && { principal, refreshId: row.refresh_id, expiresAt: new Date(row.expires_at).getTime() };
  }

  async #principal(row: Record<string, any>): Promise<Principal | null> {
    // What was granted and the app may still ask for: removing a scope from an app takes it from its tokens.
    const allowed = new Set<string>(row.client_scopes ?? []);
    const granted = (row.scopes as string[]).filter((scope) => allowed.has(scope));
    if (row.person_id) {
      if (!row.reference_id) return null;
      const member = await memberPrincipal(this.db, this.registry, row.person_id, row.reference_id);
      if (!member) return null;
      return {
        ...member,
        oauthClientId: row.client_id,
        scopes: new Set(granted.filter((scope) => hasScope(member, scope))),
        allowedOrigins: new Set([...member.allowedOrigins, ...row.client_origins]),
      };
    }
    if (!row.client_account_id) return null;
    const [account] = await systemQuery(this.db, {
      sql: `SELECT ${planOfAccountSql('a')} AS plan_row, a.cors_allowed_origins, a.status
              FROM accounts a WHERE a.id = $1`,
      parameters: [row.client_account_id],
    });
    if (!account) return null;
    const plan = planFromRow(account.plan_row);
    return {
      accountId: row.client_account_id,
      oauthClientId: row.client_id,
      scopes: new Set(granted),
      plan,
      rates: effectiveRates(plan, null),
      allowedOrigins: new Set([...account.cors_allowed_origins, ...row.client_origins]),
      ...accountStatusField(account.status),
    };
  }
}
