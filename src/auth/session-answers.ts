// What the /v1/auth operations share: the shapes they answer (a person, a session, a
// membership), Better Auth's errors as our problem details, and the signed-in answer: the
// session cookie, and the same session as a bearer token for clients without cookies.
import { sessionTokenHash } from './session-token-hashing.ts';
import { z } from 'zod';
import { isAPIError } from 'better-auth/api';
import type { Database } from '../db/database.ts';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { ApiError } from '../platform/errors.ts';
import type { SessionIdentity } from '../platform/api/operation.ts';
import { credentialChangeNotice } from './api-keys.ts';
import { sessionVerifier } from './auth-services.ts';
import { MIN_PASSWORD_LENGTH } from './people-auth.ts';
import { sessionCookieIn } from './session-verifier.ts';
import type { Runtime } from '../platform/contract.ts';

export const Email = z
  .email()
  .max(320)
  .transform((s) => s.toLowerCase());
export const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH)
  .max(256)
  .meta({ examples: ['correct horse battery staple'] });
export const Person = z.object({
  id: z.string(),
  object: z.literal('person'),
  name: z.string(),
  email: z.string(),
  email_verified: z.boolean(),
});
export const SessionInfo = z.object({
  id: z.string(),
  object: z.literal('session'),
  expires_at: z.string(),
  active_account_id: z.string().nullable(),
});
export const SignedIn = z.object({
  person: Person,
  session: SessionInfo,
  token: z
    .string()
    .describe(
      'The session as a bearer token (`Authorization: Bearer ...`) for clients without cookies. Keep it secret.',
    ),
});
export const Membership = z.object({
  account_id: z.string(),
  account_name: z.string(),
  user_id: z.string(),
  role: z.string(),
});

export type PersonRecord = {
  id: string;
  name: string;
  email: string;
  emailVerified?: boolean;
  email_verified?: boolean;
};
export const presentPerson = (p: PersonRecord) => ({
  id: p.id,
  object: 'person' as const,
  name: p.name,
  email: p.email,
  email_verified: Boolean(p.emailVerified ?? p.email_verified),
});

/** Better Auth's errors -> our problem details. */
function asApiError(error: unknown): unknown {
  if (!isAPIError(error)) return error;
  const code = (error.body as { code?: string } | undefined)?.code ?? '';
  const message = (error.body as { message?: string } | undefined)?.message ?? error.message;
  if (code.startsWith('USER_ALREADY_EXISTS'))
    return new ApiError('conflict', 'A person with this email already exists: sign in instead', {
      errors: [{ path: 'email', message: 'already registered' }],
    });
  if (error.statusCode === 401) return new ApiError('unauthenticated', 'Wrong email or password');
  if (error.statusCode === 403) return new ApiError('forbidden', message);
  if (code === 'INVALID_TOKEN' || code === 'TOKEN_EXPIRED')
    return new ApiError('not_found', 'The token is unknown, used or expired');
  return new ApiError('bad_request', message);
}

export const calling = <T>(work: Promise<T>): Promise<T> =>
  work.catch((error) => {
    throw asApiError(error);
  });

/** A session as answered, by id or (just created) by token; ended meanwhile (another node revoked it): 401. */
export async function sessionInfo(db: Database, by: { id: string } | { token: string }) {
  const [row] = await systemQuery<{ id: string; expires_at: string; active_account_id: string | null }>(db, {
    sql: `SELECT id, expires_at, active_account_id FROM sessions WHERE ${'id' in by ? 'id' : 'token'} = $1`,
    parameters: ['id' in by ? by.id : sessionTokenHash(by.token)],
  });
  if (!row) throw new ApiError('unauthenticated', 'This session has ended: sign in again');
  return {
    id: row.id,
    object: 'session' as const,
    expires_at: row.expires_at,
    active_account_id: row.active_account_id,
  };
}

/** The session's own credential, as Better Auth's bearer plugin reads it (whatever the cookie's name). */
export function sessionHeaders(headers: Headers): Headers {
  return new Headers({
    authorization:
      headers.get('authorization') ?? `Bearer ${sessionCookieIn(headers.get('cookie') ?? undefined) ?? ''}`,
  });
}

/** The caller's session: operations with `authentication: 'session'` always have one. */
export const own = (session: SessionIdentity | undefined): SessionIdentity => session!;

/** Points a session at one of its person's accounts, on every node at once. */
export async function actIn(runtime: Runtime, sessionId: string, accountId: string): Promise<void> {
  await systemTransaction(runtime.db, [
    {
      sql: 'UPDATE sessions SET active_account_id = $2, updated_at = now() WHERE id = $1',
      parameters: [sessionId, accountId],
    },
    credentialChangeNotice('session', sessionId),
  ]);
  runtime.find(sessionVerifier)?.forget('session', sessionId);
}

/** A signed-in answer: the person, the session, its bearer token and the cookie (Set-Cookie). */
export async function signedIn(
  db: Database,
  status: number,
  result: { headers: Headers; response: { token: string | null; user: PersonRecord } },
  extra: object = {},
) {
  return {
    status,
    headers: setCookies(result.headers),
    body: {
      data: {
        person: presentPerson(result.response.user),
        session: await sessionInfo(db, { token: result.response.token ?? '' }),
        token: result.headers.get('set-auth-token') ?? '',
        ...extra,
      },
    },
  };
}

/** Better Auth's Set-Cookie headers, as an answer's headers. */
export const setCookies = (headers: Headers): [string, string][] =>
  headers.getSetCookie().map((value) => ['Set-Cookie', value]);
