// Signing in with email and password, for the API's sign-in route and the OAuth sign-in page
// alike: after too many failures for one email it is locked, from every address, for the rest
// of the window, so a password cannot be guessed by spreading attempts over addresses. Attempts
// on a member's email, good or bad, are written to the account's audit log.
import { isAPIError } from 'better-auth/api';
import { ApiError } from '../platform/errors.ts';
import type { RequestRateLimiter } from '../limits/request-rate-limiter.ts';
import type { PeopleAuth } from './people-auth.ts';
import type { Database } from '../db/database.ts';
import { recordSignIn, type SignInAttempt } from './sign-in-audit.ts';

/** Failed sign-ins allowed per email address in 15 minutes, whatever the addresses they come from. */
export const FAILED_SIGN_INS_PER_EMAIL = { limit: 10, windowSeconds: 900 };

export interface SignInContext {
  db: Database;
  ipAddress: string | null;
  via: SignInAttempt['via'];
}

/**
 * Better Auth's answer to a good password (the session's Set-Cookie and bearer token in
 * `headers`); throws its errors otherwise. Every attempt on a member's email goes to the audit log.
 */
export async function signInWithPassword(
  auth: PeopleAuth,
  rateLimiter: RequestRateLimiter,
  body: { email: string; password: string },
  headers: Headers,
  context: SignInContext,
) {
  const record = (succeeded: boolean) =>
    recordSignIn(context.db, {
      email: body.email,
      succeeded,
      ipAddress: context.ipAddress,
      userAgent: headers.get('user-agent'),
      via: context.via,
    });
  const failures = await rateLimiter.peek('failed_sign_in', body.email, FAILED_SIGN_INS_PER_EMAIL);
  if (failures.remaining <= 0) {
    throw new ApiError(
      'rate_limited',
      `Too many failed sign-ins for this email. Retry after ${failures.resetSeconds} s.`,
      { headers: { 'Retry-After': String(failures.resetSeconds) } },
    );
  }
  let result;
  try {
    result = await auth.api.signInEmail({ body, headers, returnHeaders: true });
  } catch (error) {
    if (isAPIError(error) && error.statusCode === 401) {
      await rateLimiter.consume('failed_sign_in', body.email, FAILED_SIGN_INS_PER_EMAIL);
      await record(false);
    }
    throw error;
  }
  await record(true);
  return result;
}
