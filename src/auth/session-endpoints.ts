// /v1/auth: people sign up (with a new account they own), sign in and out, reset a forgotten
// password, confirm their email, list and revoke their sessions, switch the account they act
// in and accept invitations. Better Auth does the work (people-auth.ts); these routes give it
// our contract: documented, validated, RFC 9457 errors, rate limited. A successful sign-in sets
// the session cookie and also answers the token, for clients that send `Authorization: Bearer`.
import { z } from 'zod';
import { isAPIError } from 'better-auth/api';
import type { Database } from '../db/database.ts';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { ApiError } from '../platform/errors.ts';
import { defineEndpoint, type EndpointSpec } from '../platform/routes/endpoint-spec.ts';
import type { Runtime } from '../platform/operations/runtime.ts';
import type { RequestRateLimiter } from '../limits/request-rate-limiter.ts';
import { credentialChangeNotice } from './api-keys.ts';
import { acceptInvitation } from './invitations.ts';
import { FAILED_SIGN_INS_PER_EMAIL, signInWithPassword } from './password-sign-in.ts';
import { createAccountForPerson, memberships } from './person-accounts.ts';
import { MIN_PASSWORD_LENGTH, type PeopleAuth } from './people-auth.ts';
import {
  announceSessionChange,
  sessionCookieIn,
  type SessionIdentity,
  type SessionVerifier,
} from './session-verifier.ts';

const Email = z
  .email()
  .max(320)
  .transform((s) => s.toLowerCase());
const Password = z.string().min(MIN_PASSWORD_LENGTH).max(256);
const Person = z.object({
  id: z.string(),
  object: z.literal('person'),
  name: z.string(),
  email: z.string(),
  email_verified: z.boolean(),
});
const SessionInfo = z.object({
  id: z.string(),
  object: z.literal('session'),
  expires_at: z.string(),
  active_account_id: z.string().nullable(),
});
const SignedIn = z.object({
  person: Person,
  session: SessionInfo,
  token: z
    .string()
    .describe(
      'The session as a bearer token (`Authorization: Bearer ...`) for clients without cookies. Keep it secret.',
    ),
});
const Membership = z.object({
  account_id: z.string(),
  account_name: z.string(),
  user_id: z.string(),
  role: z.string(),
});

type PersonRecord = { id: string; name: string; email: string; emailVerified?: boolean; email_verified?: boolean };
const presentPerson = (p: PersonRecord) => ({
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

const calling = <T>(work: Promise<T>): Promise<T> =>
  work.catch((error) => {
    throw asApiError(error);
  });

/** A session as answered, by id or (just created) by token; ended meanwhile (another node revoked it): 401. */
async function sessionInfo(db: Database, by: { id: string } | { token: string }) {
  const [row] = await systemQuery(db, {
    sql: `SELECT id, expires_at, active_account_id FROM sessions WHERE ${'id' in by ? 'id' : 'token'} = $1`,
    parameters: ['id' in by ? by.id : by.token],
  });
  if (!row) throw new ApiError('unauthenticated', 'This session has ended: sign in again');
  return {
    id: row.id as string,
    object: 'session' as const,
    expires_at: row.expires_at as string,
    active_account_id: row.active_account_id as string | null,
  };
}

export interface SessionEndpointServices {
  runtime: Runtime;
  auth: PeopleAuth;
  rateLimiter: RequestRateLimiter;
  sessions: Pick<SessionVerifier, 'forget'>;
}

export function sessionEndpoints({ runtime, auth, rateLimiter, sessions }: SessionEndpointServices): EndpointSpec[] {
  const { db } = runtime;
  const own = (session: SessionIdentity | undefined) => session!;
  /** Points a session at one of its person's accounts, on every node at once. */
  const actIn = async (sessionId: string, accountId: string) => {
    await systemTransaction(db, [
      {
        sql: 'UPDATE sessions SET active_account_id = $2, updated_at = now() WHERE id = $1',
        parameters: [sessionId, accountId],
      },
      credentialChangeNotice('session', sessionId),
    ]);
    sessions.forget('session', sessionId);
  };
  /** A signed-in answer: the person, the session, its bearer token and the cookie (Set-Cookie). */
  const signedIn = async (
    status: number,
    result: { headers: Headers; response: { token: string | null; user: PersonRecord } },
    extra: object = {},
  ) => ({
    status,
    headers: result.headers.getSetCookie().map((value) => ['Set-Cookie', value] as [string, string]),
    body: {
      data: {
        person: presentPerson(result.response.user),
        session: await sessionInfo(db, { token: result.response.token ?? '' }),
        token: result.headers.get('set-auth-token') ?? '',
        ...extra,
      },
    },
  });
  return [
    defineEndpoint({
      method: 'post',
      path: '/v1/auth/sign-up',
      operationId: 'signUp',
      tag: 'Auth',
      scope: null,
      authentication: 'none',
      bucket: 'write',
      summary: 'Sign up',
      description:
        'Creates a person and a new account they own, and signs them in. A mail asks them to confirm their email.',
      body: z.strictObject({
        name: z.string().trim().min(1).max(200),
        email: Email,
        password: Password,
        account_name: z.string().trim().min(1).max(200),
      }),
      response: SignedIn.extend({
        account: z.object({ id: z.string(), name: z.string() }),
        user: Membership.pick({ user_id: true, role: true }),
      }),
      successStatus: 201,
      async handle({ body, headers }) {
        const result = await calling(
          auth.api.signUpEmail({
            body: { name: body.name, email: body.email, password: body.password },
            headers,
            returnHeaders: true,
          }),
        );
        const person = result.response.user;
        const created = await createAccountForPerson(
          runtime,
          { id: person.id, name: person.name, email: person.email },
          body.account_name,
        ).catch(async (error) => {
          await systemQuery(db, { sql: 'DELETE FROM people WHERE id = $1', parameters: [person.id] }); // no person without an account
          throw error;
        });
        await systemQuery(db, {
          sql: 'UPDATE sessions SET active_account_id = $2 WHERE token = $1',
          parameters: [result.response.token!, created.accountId],
        });
        return signedIn(201, result, {
          account: { id: created.accountId, name: body.account_name },
          user: { user_id: created.userId, role: 'owner' },
        });
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/auth/sign-in',
      operationId: 'signIn',
      tag: 'Auth',
      scope: null,
      authentication: 'none',
      bucket: 'write',
      summary: 'Sign in',
      description: `Starts a session in the account the person joined first (see switch-account). After ${FAILED_SIGN_INS_PER_EMAIL.limit} failures in ${FAILED_SIGN_INS_PER_EMAIL.windowSeconds / 60} minutes an email is locked for the rest of the window (429), from every address.`,
      body: z.strictObject({ email: Email, password: z.string().min(1).max(256) }),
      response: SignedIn,
      async handle({ body, headers, clientIp }) {
        return signedIn(
          200,
          await calling(signInWithPassword(auth, rateLimiter, body, headers, { db, ipAddress: clientIp, via: 'api' })),
        );
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/auth/sign-out',
      operationId: 'signOut',
      tag: 'Auth',
      scope: null,
      authentication: 'session',
      bucket: 'write',
      summary: 'Sign out',
      description: 'Ends this session, on every node at once, and clears the cookie.',
      response: z.object({ signed_out: z.literal(true) }),
      async handle({ session, headers }) {
        const result = await calling(auth.api.signOut({ headers: sessionHeaders(headers), returnHeaders: true }));
        await announceSessionChange(db, sessions, 'session', own(session).sessionId);
        return {
          status: 200,
          headers: result.headers.getSetCookie().map((v) => ['Set-Cookie', v] as [string, string]),
          body: { data: { signed_out: true } },
        };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/v1/auth/session',
      operationId: 'getSession',
      tag: 'Auth',
      scope: null,
      authentication: 'session',
      bucket: 'read',
      summary: 'Retrieve your session',
      description: 'Who you are, the account this session acts in, and every account you can switch to.',
      response: z.object({
        person: Person,
        session: SessionInfo,
        member: Membership.nullable(),
        accounts: z.array(Membership),
        scopes: z
          .array(z.string())
          .describe(
            "What this session may do in the account it acts in (its role's scopes; `read:*` covers every read): clients show only what it may use.",
          ),
      }),
      async handle({ session }) {
        const me = own(session);
        const current = await sessionInfo(db, { id: me.sessionId });
        const accounts = await memberships(db, me.personId);
        return {
          status: 200,
          body: {
            data: {
              person: presentPerson(me.person),
              session: current,
              member: accounts.find((m) => m.account_id === current.active_account_id) ?? null,
              accounts,
              scopes: [...(me.principal?.scopes ?? [])].sort(),
            },
          },
        };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/v1/auth/sessions',
      operationId: 'listSessions',
      tag: 'Auth',
      scope: null,
      authentication: 'session',
      bucket: 'read',
      summary: 'List your sessions',
      description: 'Every live session of yours, on any device, newest first.',
      response: z.array(
        z.object({
          id: z.string(),
          object: z.literal('session'),
          current: z.boolean(),
          ip_address: z.string().nullable(),
          user_agent: z.string().nullable(),
          created_at: z.string(),
          expires_at: z.string(),
        }),
      ),
      async handle({ session }) {
        const me = own(session);
        const rows = await systemQuery(db, {
          sql: `SELECT id, ip_address, user_agent, created_at, expires_at FROM sessions WHERE person_id = $1 AND expires_at > now() ORDER BY created_at DESC, id DESC LIMIT 100`,
          parameters: [me.personId],
        });
        return {
          status: 200,
          body: { data: rows.map((r) => ({ object: 'session', current: r.id === me.sessionId, ...r })) },
        };
      },
    }),
    defineEndpoint({
      method: 'delete',
      path: '/v1/auth/sessions/{id}',
      operationId: 'revokeSession',
      tag: 'Auth',
      scope: null,
      authentication: 'session',
      bucket: 'write',
      summary: 'Revoke one of your sessions',
      description: "Signs that device out, on every node at once. Another person's session is a 404.",
      paramPatterns: { id: '^ses_' },
      response: z.object({ id: z.string(), object: z.literal('session'), revoked: z.literal(true) }),
      async handle({ session, params }) {
        const me = own(session);
        const revoked = await systemQuery(db, {
          sql: 'DELETE FROM sessions WHERE id = $1 AND person_id = $2 RETURNING id',
          parameters: [params.id, me.personId],
        });
        if (revoked.length === 0) throw new ApiError('not_found', `No such session: '${params.id}'`);
        await announceSessionChange(db, sessions, 'session', params.id);
        return { status: 200, body: { data: { id: params.id, object: 'session', revoked: true } } };
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/auth/switch-account',
      operationId: 'switchAccount',
      tag: 'Auth',
      scope: null,
      authentication: 'session',
      bucket: 'write',
      summary: 'Act in another of your accounts',
      description:
        'This session acts in the given account from its next request on. You must be an active member of it (otherwise 404).',
      body: z.strictObject({ account_id: z.string().min(1).max(64) }),
      response: SessionInfo,
      async handle({ session, body }) {
        const me = own(session);
        if (!(await memberships(db, me.personId)).some((m) => m.account_id === body.account_id))
          throw new ApiError('not_found', `No such account among yours: '${body.account_id}'`);
        await actIn(me.sessionId, body.account_id);
        return { status: 200, body: { data: await sessionInfo(db, { id: me.sessionId }) } };
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/auth/accept-invitation',
      operationId: 'acceptInvitation',
      tag: 'Auth',
      scope: null,
      authentication: 'session',
      bucket: 'write',
      summary: 'Accept an invitation',
      description:
        "You become the invited member of the account (with the member's role), and this session acts in it.",
      body: z.strictObject({ token: z.string().min(1).max(200) }),
      response: Membership,
      async handle({ session, body }) {
        const me = own(session);
        const { accountId, userId } = await acceptInvitation(runtime, me.personId, body.token);
        await actIn(me.sessionId, accountId);
        const member = (await memberships(db, me.personId)).find((m) => m.user_id === userId)!;
        return { status: 200, body: { data: member } };
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/auth/password-reset',
      operationId: 'requestPasswordReset',
      tag: 'Auth',
      scope: null,
      authentication: 'none',
      bucket: 'write',
      summary: 'Ask for a password reset',
      description:
        'Mails a reset token (valid one hour) if the email belongs to a person. The answer is the same either way, so it reveals nobody.',
      body: z.strictObject({ email: Email }),
      response: z.object({ requested: z.literal(true) }),
      successStatus: 202,
      async handle({ body, headers }) {
        await calling(auth.api.requestPasswordReset({ body: { email: body.email }, headers }));
        return { status: 202, body: { data: { requested: true } } };
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/auth/password-reset/confirm',
      operationId: 'resetPassword',
      tag: 'Auth',
      scope: null,
      authentication: 'none',
      bucket: 'write',
      summary: 'Set a new password',
      description: 'With the mailed token. Every session of the person ends (sign in again).',
      body: z.strictObject({ token: z.string().min(1).max(200), new_password: Password }),
      response: z.object({ reset: z.literal(true) }),
      async handle({ body, headers }) {
        await calling(auth.api.resetPassword({ body: { token: body.token, newPassword: body.new_password }, headers }));
        return { status: 200, body: { data: { reset: true } } };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/v1/auth/verify-email',
      operationId: 'verifyEmail',
      tag: 'Auth',
      scope: null,
      authentication: 'none',
      bucket: 'write',
      summary: 'Confirm your email',
      description: 'The link mailed at sign-up. Confirms the email of the person it was mailed to.',
      query: z.strictObject({ token: z.string().min(1).max(2000) }),
      response: z.object({ email_verified: z.literal(true) }),
      async handle({ query, headers }) {
        const result = await auth.api
          .verifyEmail({
            query: { token: query.token },
            headers: new Headers({ 'user-agent': headers.get('user-agent') ?? '' }),
          })
          .catch((error) => {
            throw isAPIError(error) ? new ApiError('not_found', 'The token is unknown, used or expired') : error;
          });
        const personId = (result as { user?: { id: string } }).user?.id;
        if (personId) {
          await announceSessionChange(db, sessions, 'person', personId);
        }
        return { status: 200, body: { data: { email_verified: true } } };
      },
    }),
  ];
}

/** The session's own credential, as Better Auth's bearer plugin reads it (whatever the cookie's name). */
function sessionHeaders(headers: Headers): Headers {
  return new Headers({
    authorization:
      headers.get('authorization') ?? `Bearer ${sessionCookieIn(headers.get('cookie') ?? undefined) ?? ''}`,
  });
}
