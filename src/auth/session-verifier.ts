// Session credentials -> the principal of a member: the session cookie of a browser, or the
// same session as `Authorization: Bearer <token>` for mobile and CLI clients. Better Auth
// checks the token's signature and the session row; we add the membership (the `users` row of
// the session's active account) and its role's scopes. The result is cached like API keys:
// warm requests touch no database, and a sign-out, revocation, role change or removal is
// announced by NOTIFY so every node forgets at once (the TTL only bounds a missed notice).
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Principal } from '../platform/operations/principal.ts';
import type { SessionIdentity } from '../platform/api/operation.ts';
import { CredentialCache } from './credential-cache.ts';
import type { CredentialVersions } from './credential-versions.ts';
import { SESSION_COOKIE_PREFIX, type PeopleAuth } from './people-auth.ts';
import { memberPrincipal } from './member-principal.ts';
import type { Registry } from '../platform/contract.ts';

const COOKIE_NAMES = [`${SESSION_COOKIE_PREFIX}.session_token`, `__Secure-${SESSION_COOKIE_PREFIX}.session_token`];

export type SessionChange = 'session' | 'person' | 'account';

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
  readonly #cache: CredentialCache<SessionIdentity>;

  constructor(
    private readonly db: Database,
    private readonly auth: PeopleAuth,
    private readonly registry: Registry,
    private readonly options: { cacheTtlMs?: number; logger?: Logger; versions?: CredentialVersions } = {},
  ) {
    this.#cache = new CredentialCache(db, {
      what: 'session',
      ttlMs: options.cacheTtlMs,
      logger: options.logger,
      versions: options.versions,
      subjects: (identity) => [
        `session:${identity.sessionId}`,
        `person:${identity.personId}`,
        ...(identity.principal ? [`account:${identity.principal.accountId}`] : []),
      ],
      onNotice: (kind, id) => {
        if (kind === 'session' || kind === 'person' || kind === 'account') this.forget(kind, id);
      },
    });
  }

  start(): Promise<void> {
    return this.#cache.start();
  }

  stop(): Promise<void> {
    return this.#cache.stop();
  }

  /** The session behind a cookie value or bearer token, or null when it is not a live session. */
  identify(token: string): Promise<SessionIdentity | null> {
    return this.#cache.get(createHash('sha256').update(token).digest('base64'), () => this.#load(token));
  }

  /**
   * After a change committed: forgets on this node, and every other node's next request reloads
   * (announceSessionChange).
   */
  async changed(kind: SessionChange, id: string): Promise<void> {
    this.forget(kind, id);
    await this.options.versions?.bump([`${kind}:${id}`]);
  }

  /** Forgets sessions on this node; other nodes hear of it by NOTIFY (announceSessionChange). */
  forget(kind: SessionChange, id: string): void {
    this.#cache.forgetWhere((identity) =>
      kind === 'session'
        ? identity.sessionId === id
        : kind === 'person'
          ? identity.personId === id
          : identity.principal?.accountId === id,
    );
  }

  async #load(token: string): Promise<SessionIdentity | null> {
    // The bearer plugin reads a cookie's value too (signed the same way), whatever the cookie's name.
    const headers = new Headers({ authorization: `Bearer ${token}` });
    const found = await this.auth.api.getSession({ headers }).catch(() => null);
    if (!found) return null;
    return {
      sessionId: found.session.id,
      personId: found.user.id,
      expiresAt: new Date(found.session.expiresAt).getTime(),
      person: {
        id: found.user.id,
        name: found.user.name,
        email: found.user.email,
        email_verified: found.user.emailVerified,
      },
      principal: await this.#principal(
        found.user.id,
        found.session.id,
        (found.session as { activeAccountId?: string | null }).activeAccountId ?? null,
      ),
    };
  }

  async #principal(personId: string, sessionId: string, accountId: string | null): Promise<Principal | null> {
    const member = accountId ? await memberPrincipal(this.db, this.registry, personId, accountId) : null;
    return member && { ...member, sessionId };
  }
}
