// Announcing that a session changed (ended, its person's role or membership changed): every
// node forgets what it cached of it, this one at once and the others by NOTIFY, and, with Redis,
// from their next request on (credential-versions.ts).
import type { Database } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import type { OperationContext } from '../platform/contract.ts';
import { credentialChangeNotice } from './api-keys.ts';
import { oauthTokenVerifier, sessionVerifier } from './auth-services.ts';
import type { SessionChange, SessionVerifier } from './session-verifier.ts';

/**
 * Every node forgets what it cached of a session (or of a person's sessions): this one at once, the others by NOTIFY.
 */
export async function announceSessionChange(
  db: Database,
  sessions: Pick<SessionVerifier, 'changed'> | undefined,
  kind: SessionChange,
  id: string,
) {
  await systemQuery(db, credentialChangeNotice(kind, id));
  await sessions?.changed(kind, id);
}

/** The same, for a change made in `ctx`'s transaction: announced if and when it commits. */
export function announceSessionChangeAtCommit(ctx: OperationContext, kind: SessionChange, id: string): void {
  ctx.tx.defer(credentialChangeNotice(kind, id));
  ctx.tx.afterCommit(async () => {
    // A member's OAuth grants act with the member's role: they change with it.
    if (kind !== 'session') ctx.runtime.find(oauthTokenVerifier)?.forget(kind, id);
    await ctx.runtime.find(sessionVerifier)?.changed(kind, id);
  });
}
