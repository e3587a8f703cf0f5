// /v1/auth, signing in and out: people sign up (with a new account they own), sign in and out,
// reset a forgotten password and confirm their email. Better Auth does the work (people-auth.ts);
// these operations give it our contract: documented, validated, RFC 9457 errors, rate limited.
// A successful sign-in sets the session cookie and also answers the token, for clients that
// send `Authorization: Bearer`.
import { sessionTokenHash } from './session-token-hashing.ts';
import { z } from 'zod';
import { isAPIError } from 'better-auth/api';
import { systemQuery } from '../db/system-query.ts';
import { ApiError } from '../platform/errors.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { rateLimiter } from '../limits/limits-services.ts';
import { peopleAuth, sessionVerifier } from './auth-services.ts';
import { FAILED_SIGN_INS_PER_EMAIL, signInWithPassword } from './password-sign-in.ts';
import { createAccountForPerson } from './person-accounts.ts';
import { announceSessionChange } from './session-changes.ts';
import {
  calling,
  Email,
  Membership,
  own,
  Password,
  SignedIn,
  sessionHeaders,
  setCookies,
  signedIn,
} from './session-answers.ts';

const signUpOperation = defineOperation({
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
  async handle({ runtime, body, headers }) {
    const result = await calling(
      runtime.use(peopleAuth).api.signUpEmail({
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
      // no person without an account
      await systemQuery(runtime.db, { sql: 'DELETE FROM people WHERE id = $1', parameters: [person.id] });
      throw error;
    });
    await systemQuery(runtime.db, {
      sql: 'UPDATE sessions SET active_account_id = $2 WHERE token = $1',
      parameters: [sessionTokenHash(result.response.token!), created.accountId],
    });
    return signedIn(runtime.db, 201, result, {
      account: { id: created.accountId, name: body.account_name },
      user: { user_id: created.userId, role: 'owner' },
    });
  },
});

const signInOperation = defineOperation({
  method: 'post',
  path: '/v1/auth/sign-in',
  operationId: 'signIn',
  tag: 'Auth',
  scope: null,
  authentication: 'none',
  bucket: 'write',
  summary: 'Sign in',
  description:
    `Starts a session in the account the person joined first (see switch-account). ` +
    `After ${FAILED_SIGN_INS_PER_EMAIL.limit} failures in ${FAILED_SIGN_INS_PER_EMAIL.windowSeconds / 60} minutes an ` +
    `email is locked for the rest of the window (429), from every address.`,
  body: z.strictObject({ email: Email, password: z.string().min(1).max(256) }),
  response: SignedIn,
  async handle({ runtime, body, headers, clientIp }) {
    return signedIn(
      runtime.db,
      200,
      await calling(
        signInWithPassword(runtime.use(peopleAuth), runtime.use(rateLimiter), body, headers, {
          db: runtime.db,
          ipAddress: clientIp,
          via: 'api',
        }),
      ),
    );
  },
});

const signOutOperation = defineOperation({
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
  async handle({ runtime, session, headers }) {
    const result = await calling(
      runtime.use(peopleAuth).api.signOut({ headers: sessionHeaders(headers), returnHeaders: true }),
    );
    await announceSessionChange(runtime.db, runtime.find(sessionVerifier), 'session', own(session).sessionId);
    return {
      status: 200,
      headers: setCookies(result.headers),
      body: { data: { signed_out: true } },
    };
  },
});

const requestPasswordResetOperation = defineOperation({
  method: 'post',
  path: '/v1/auth/password-reset',
  operationId: 'requestPasswordReset',
  tag: 'Auth',
  scope: null,
  authentication: 'none',
  bucket: 'write',
  summary: 'Ask for a password reset',
  description:
    'Mails a reset token (valid one hour) if the email belongs to a person. ' +
    'The answer is the same either way, so it reveals nobody.',
  body: z.strictObject({ email: Email }),
  response: z.object({ requested: z.literal(true) }),
  successStatus: 202,
  async handle({ runtime, body, headers }) {
    await calling(runtime.use(peopleAuth).api.requestPasswordReset({ body: { email: body.email }, headers }));
    return { status: 202, body: { data: { requested: true } } };
  },
});

const resetPasswordOperation = defineOperation({
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
  async handle({ runtime, body, headers }) {
    await calling(
      runtime
        .use(peopleAuth)
        .api.resetPassword({ body: { token: body.token, newPassword: body.new_password }, headers }),
    );
    return { status: 200, body: { data: { reset: true } } };
  },
});

const verifyEmailOperation = defineOperation({
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
  async handle({ runtime, query, headers }) {
    const result = await runtime
      .use(peopleAuth)
      .api.verifyEmail({
        query: { token: query.token },
        headers: new Headers({ 'user-agent': headers.get('user-agent') ?? '' }),
      })
      .catch((error) => {
        throw isAPIError(error) ? new ApiError('not_found', 'The token is unknown, used or expired') : error;
      });
    const personId = (result as { user?: { id: string } }).user?.id;
    if (personId) {
      await announceSessionChange(runtime.db, runtime.find(sessionVerifier), 'person', personId);
    }
    return { status: 200, body: { data: { email_verified: true } } };
  },
});

export const signInOperations = [
  signUpOperation,
  signInOperation,
  signOutOperation,
  requestPasswordResetOperation,
  resetPasswordOperation,
  verifyEmailOperation,
];
