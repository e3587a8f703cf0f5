// Session credentials -> the principal of a member: the session cookie of a browser, or the
// same session as `Authorization: Bearer <token>` for mobile and CLI clients. Better Auth
// checks the token's signature and the session row; we add the membership (the `users` row of
// the session's active account) and its role's scopes. The result is cached like API keys:
// warm requests touch no database, and a sign-out, revocation, role change or removal is
// announced by NOTIFY so every node forgets at once (the TTL only bounds a missed notice).
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { Registry } from '../platform/registry.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { CREDENTIAL_CHANGES_CHANNEL, credentialChangeNotice } from './api-keys.ts';
import type { OperationContext } from '../platform/operations/operation-context.ts';
import { SESSION_COOKIE_PREFIX, type PeopleAuth } from './people-auth.ts';
import { memberPrincipal } from './member-principal.ts';

declare module '../platform/operations/runtime.ts' {
  interface RuntimeServices {
    /** Drops this node's cached sessions (other nodes hear the NOTIFY at commit). */
    sessions?: Pick<SessionVerifier, 'forget'>;
  }
}

const COOKIE_NAMES = [`${SESSION_COOKIE_PREFIX}.session_token`, `__Secure-${SESSION_COOKIE_PREFIX}.session_token`];

/** A session, as cached; `principal` is null while it acts in no account its person is an active member of. */
export interface SessionIdentity {
  sessionId: string;
  personId: string;
  person: { id: string; name: string; email: string; email_verified: boolean };
  expiresAt: number;
  principal: Principal | null;
}

export type SessionChange = 'session' | 'person' | 'account';

/** Every node forgets what it cached of a session (or of a person's sessions): this one at once, the others by NOTIFY. */
export async function announceSessionChange(db: Database, sessions: Pick<SessionVerifier, 'forget'> | undefined, kind: SessionChange, id: string) {
  await systemQuery(db, credentialChangeNotice(kind, id));
  sessions?.forget(kind, id);
}

/** The same, for a change made in `ctx`'s transaction: announced if and when it commits. */
export function announceSessionChangeAtCommit(ctx: OperationContext, kind: SessionChange, id: string): void {
  ctx.tx.defer(credentialChangeNotice(kind, id));
  ctx.tx.afterCommit(async () => {
    ctx.runtime.services.sessions?.forget(kind, id);
    // A member's OAuth grants act with the member's role: they change with it.
    if (kind !== 'session') ctx.runtime.services.oauthTokens?.forget(kind, id);
  });
}

/** The session cookie's value in a Cookie header, if there is one. */
export function sessionCookieIn(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && COOKIE_NAMES.includes(part.slice(0, at).trim())) return part.slice(at + 1).trim();
  }
  return null;
}

export class SessionVerifier {
  readonly #cache: LRUCache<string, SessionIdentity | 'missing'>;
  #generation = 0;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly auth: PeopleAuth,
    private readonly registry: Registry,
    private readonly options: { cacheTtlMs?: number; logger?: Logger } = {},
  ) {
    this.#cache = new LRUCache({ max: 10_000, ttl: options.cacheTtlMs ?? 30_000 });
  }

  async start(): Promise<void> {
    this.#unlisten = await this.db.listen(CREDENTIAL_CHANGES_CHANNEL, (notice) => this.#onNotice(notice), {
      onReconnect: () => this.#forgetWhere(() => true),
    }).catch((err) => {
      this.options.logger?.warn({ err }, 'session changes cannot be LISTENed for; other nodes\' changes apply after the cache TTL');
      return undefined;
    });
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    this.#unlisten = undefined;
  }

  /** The session behind a cookie value or bearer token, or null when it is not a live session. */
  async identify(token: string): Promise<SessionIdentity | null> {
    const cacheKey = createHash('sha256').update(token).digest('base64');
    let identity = this.#cache.get(cacheKey);
    if (!identity) identity = await this.#load(cacheKey, token);
    if (identity === 'missing' || identity.expiresAt <= Date.now()) return null;
    return identity;
  }

  /** Forgets sessions on this node; other nodes hear of it by NOTIFY (announceSessionChange). */
  forget(kind: SessionChange, id: string): void {
    this.#forgetWhere((identity) => (kind === 'session' ? identity.sessionId === id : kind === 'person' ? identity.personId === id
      : identity.principal?.accountId === id));
  }

  #forgetWhere(matches: (identity: SessionIdentity) => boolean): void {
    this.#generation++;
    for (const [key, identity] of this.#cache.entries()) {
      if (identity !== 'missing' && matches(identity)) this.#cache.delete(key);
    }
  }

  #onNotice(notice: string): void {
    const [kind, id] = notice.split(':', 2);
    if (kind === 'session' || kind === 'person' || kind === 'account') this.forget(kind, id);
  }

  async #load(cacheKey: string, token: string): Promise<SessionIdentity | 'missing'> {
    const generation = this.#generation;
    // The bearer plugin reads a cookie's value too (signed the same way), whatever the cookie's name.
    const headers = new Headers({ authorization: `Bearer ${token}` });
    const found = await this.auth.api.getSession({ headers }).catch(() => null);
    const identity: SessionIdentity | 'missing' = found
      ? {
          sessionId: found.session.id, personId: found.user.id, expiresAt: new Date(found.session.expiresAt).getTime(),
          person: { id: found.user.id, name: found.user.name, email: found.user.email, email_verified: found.user.emailVerified },
          principal: await this.#principal(found.user.id, found.session.id, (found.session as { activeAccountId?: string | null }).activeAccountId ?? null),
        }
      : 'missing';
    if (generation === this.#generation) this.#cache.set(cacheKey, identity, identity === 'missing' ? { ttl: 5_000 } : undefined);
    return identity;
  }



  async #principal(personId: string, sessionId: string, accountId: string | null): Promise<Principal | null> {
    const member = accountId ? await memberPrincipal(this.db, this.registry, personId, accountId) : null;
    return member && { ...member, sessionId };
  }
}
