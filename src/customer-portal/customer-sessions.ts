// End customers' portal sessions: a random `flc_` token, handed out once at sign-in (as a bearer
// token and an HttpOnly cookie) and kept only as its SHA-256. Verified sessions are cached like
// members' sessions: warm requests touch no database, and a sign-out or a revoked access is
// announced by NOTIFY so every node forgets at once.
import { randomBytes } from 'node:crypto';
import { sha256 } from '../platform/random-tokens.ts';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { CREDENTIAL_CHANGES_CHANNEL } from '../auth/api-keys.ts';
import { CredentialCache } from '../auth/credential-cache.ts';
import type { CredentialVersions } from '../auth/credential-versions.ts';
import type { CustomerCredentials } from '../http/http-services.ts';
import { effectiveRates } from '../limits/plans.ts';
import { planFromRow, planOfAccountSql, type PlanRow } from '../billing/plan-rows.ts';
import { newId } from '../platform/ids.ts';
import { accountStatusField, type Principal } from '../platform/operations/principal.ts';
import type { OperationContext } from '../platform/contract.ts';
import { serviceKey } from '../platform/api/service-key.ts';

export const CUSTOMER_TOKEN_PREFIX = 'flc_';
export const CUSTOMER_COOKIE = 'fieldline_customer';
/** Short-lived: a customer signs in again by code after this long. */
export const CUSTOMER_SESSION_HOURS = 12;
const TOKEN_PATTERN = /^flc_[A-Za-z0-9_-]{43}$/;

/** A bytea parameter: statements travel as text (src/db/inline-parameters.ts). */
export const byteaParameter = (bytes: Buffer) => `\\x${bytes.toString('hex')}`;

interface VerifiedCustomer {
  principal: Principal;
  expiresAt: number;
}

export class CustomerSessionVerifier implements CustomerCredentials {
  readonly #cache: CredentialCache<VerifiedCustomer>;

  constructor(
    private readonly db: Database,
    options: { cacheTtlMs?: number; logger?: Logger; versions?: CredentialVersions } = {},
  ) {
    this.#cache = new CredentialCache(db, {
      what: 'customer session',
      ttlMs: options.cacheTtlMs,
      logger: options.logger,
      // An account suspended through another node refuses its customers from their next request.
      versions: options.versions,
      subjects: (entry) => [`account:${entry.principal.accountId}`],
      onNotice: (kind, id) => this.forget(kind, id),
    });
  }

  start = () => this.#cache.start();
  stop = () => this.#cache.stop();

  async identify(token: string): Promise<Principal | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const hash = sha256(token);
    const found = await this.#cache.get(hash.toString('base64'), () => this.#load(hash));
    return found?.principal ?? null;
  }

  cookie(cookieHeader: string | undefined): string | null {
    for (const part of cookieHeader?.split(';') ?? []) {
      const at = part.indexOf('=');
      if (at !== -1 && part.slice(0, at).trim() === CUSTOMER_COOKIE) return part.slice(at + 1).trim();
    }
    return null;
  }

  /** Forgets on this node a session (`customer-session`) or every session of a customer (`customer`). */
  forget(kind: string, id: string): void {
    if (kind === 'customer-session') this.#cache.forgetWhere((entry) => entry.principal.customerSessionId === id);
    if (kind === 'customer') this.#cache.forgetWhere((entry) => entry.principal.customerId === id);
    if (kind === 'account') this.#cache.forgetWhere((entry) => entry.principal.accountId === id);
  }

  async #load(hash: Buffer): Promise<VerifiedCustomer | null> {
    // Live session, customer not deleted, access not revoked: a revocation ends sessions at once.
    const [row] = await systemQuery<{
      id: string;
      account_id: string;
      customer_id: string;
      expires_at: string;
      plan_row: PlanRow;
      account_status: string;
    }>(this.db, {
      sql: `SELECT s.id, s.account_id, s.customer_id, s.expires_at::text AS expires_at,
                   ${planOfAccountSql('a')} AS plan_row, a.status AS account_status
              FROM customer_sessions s
              JOIN accounts a ON a.id = s.account_id
              JOIN customers c ON c.account_id = s.account_id AND c.id = s.customer_id AND c.deleted_at IS NULL
              LEFT JOIN customer_portal_access p ON p.account_id = s.account_id AND p.customer_id = s.customer_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
               AND p.status IS DISTINCT FROM 'revoked'`,
      parameters: [byteaParameter(hash)],
    });
    if (!row) return null;
    const plan = planFromRow(row.plan_row);
    return {
      expiresAt: Date.parse(row.expires_at),
      principal: {
        accountId: row.account_id,
        customerId: row.customer_id,
        customerSessionId: row.id,
        scopes: new Set(),
        plan,
        rates: effectiveRates(plan, null),
        allowedOrigins: new Set(),
        ...accountStatusField(row.account_status),
      },
    };
  }
}

export const customerSessions = serviceKey<CustomerSessionVerifier>("the customer portal's session verifier");

/** Opens a session for the customer in `ctx`'s transaction; the token is answered once and kept hashed. */
export function openCustomerSession(
  ctx: OperationContext,
  who: { customerId: string; contactId: string | null; ip: string | null; userAgent: string | null },
): { id: string; token: string; expiresAt: string } {
  const token = CUSTOMER_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = newId('csess');
  const expiresAt = new Date(Date.parse(ctx.now) + CUSTOMER_SESSION_HOURS * 3_600_000).toISOString();
  ctx.tx.defer({
    sql: `INSERT INTO customer_sessions (id, account_id, customer_id, contact_id, token_hash, ip, user_agent,
                                         created_at, expires_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    parameters: [
      id,
      ctx.tx.accountId,
      who.customerId,
      who.contactId,
      byteaParameter(sha256(token)),
      who.ip,
      who.userAgent?.slice(0, 500) ?? null,
      ctx.now,
      expiresAt,
    ],
  });
  return { id, token, expiresAt };
}

/** Ends one session, or every session of a customer, on every node once `ctx` commits. */
export function endCustomerSessions(ctx: OperationContext, which: { sessionId: string } | { customerId: string }) {
  const [column, kind, id] =
    'sessionId' in which ? ['id', 'customer-session', which.sessionId] : ['customer_id', 'customer', which.customerId];
  ctx.tx.defer({
    sql: `UPDATE customer_sessions SET revoked_at = $3 WHERE account_id = $1 AND ${column} = $2 AND revoked_at IS NULL`,
    parameters: [ctx.tx.accountId, id, ctx.now],
  });
  ctx.tx.defer({ sql: 'SELECT pg_notify($1, $2)', parameters: [CREDENTIAL_CHANGES_CHANNEL, `${kind}:${id}`] });
  ctx.tx.afterCommit(async () => ctx.runtime.find(customerSessions)?.forget(kind, id));
}
