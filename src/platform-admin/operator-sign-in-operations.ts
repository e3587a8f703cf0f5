// POST /v1/platform/sign-in and /v1/platform/sign-out: an operator's session, by email and
// password. Sign-in is open (limited per address by the gate, and per email after failures like
// people's sign-in); an unknown email and a wrong password answer the same 401 after the same work.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { systemTransaction } from '../db/system-query.ts';
import { rateLimiter } from '../limits/limits-services.ts';
import { FAILED_SIGN_INS_PER_EMAIL } from '../auth/password-sign-in.ts';
import { endOperatorSession, openOperatorSession, OPERATOR_SESSION_HOURS } from './operator-sessions.ts';
import { operatorAuditInsert } from './platform-audit.ts';
import { PLATFORM_TAG } from './platform-tag.ts';

const SignInBody = z.strictObject({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(256),
});

const OperatorSession = z.object({
  object: z.literal('operator_session'),
  id: z.string(),
  token: z.string().describe('Send as `Authorization: Bearer flop_...` on `/v1/platform/*`. Shown once.'),
  expires_at: z.string(),
  operator: z.object({ id: z.string(), email: z.string(), name: z.string() }),
});

/** The failure for an unknown email, a disabled operator and a wrong password alike. */
const refused = () => new ApiError('unauthenticated', 'The email or the password is not right');

const signIn = defineOperation({
  method: 'post',
  path: '/v1/platform/sign-in',
  operationId: 'signInOperator',
  tag: PLATFORM_TAG,
  scope: null,
  authentication: 'none',
  bucket: 'write',
  sdk: { excluded: 'platform administration is not part of the tenant SDKs' },
  summary: 'Sign in as a platform operator',
  description:
    `Opens an operator session (${OPERATOR_SESSION_HOURS} h). ` +
    'Operators are made with `fieldline operators create`. ' +
    `After ${FAILED_SIGN_INS_PER_EMAIL.limit} failures in ${FAILED_SIGN_INS_PER_EMAIL.windowSeconds / 60} minutes an ` +
    'email is locked for the rest of the window (429), from every address.',
  body: SignInBody,
  response: OperatorSession,
  errors: [401, 422, 429],
  async handle({ runtime, body, headers, clientIp, refuseCredential }) {
    const limiter = runtime.use(rateLimiter);
    const subject = `operator:${body.email.toLowerCase()}`;
    const failures = await limiter.peek('failed_sign_in', subject, FAILED_SIGN_INS_PER_EMAIL);
    if (failures.remaining <= 0)
      throw new ApiError(
        'rate_limited',
        `Too many failed sign-ins for this email. Retry after ${failures.resetSeconds} s.`,
        {
          headers: { 'Retry-After': String(failures.resetSeconds) },
        },
      );
    const opened = await openOperatorSession(runtime.db, body, { ip: clientIp, userAgent: headers.get('user-agent') });
    if (!opened) {
      await limiter.consume('failed_sign_in', subject, FAILED_SIGN_INS_PER_EMAIL);
      await refuseCredential();
      await systemTransaction(runtime.db, [
        operatorAuditInsert({
          operator: { operatorId: null, email: body.email.toLowerCase() },
          action: 'operator.sign_in_failed',
          ip: clientIp,
        }),
      ]);
      throw refused();
    }
    await systemTransaction(runtime.db, [
      operatorAuditInsert({
        operator: { operatorId: opened.operator.id, email: opened.operator.email },
        action: 'operator.signed_in',
        summary: { session_id: opened.sessionId },
        ip: clientIp,
      }),
    ]);
    const data = {
      object: 'operator_session' as const,
      id: opened.sessionId,
      token: opened.token,
      expires_at: opened.expiresAt,
      operator: opened.operator,
    };
    return { status: 200, body: { data } };
  },
});

const signOut = defineOperation({
  method: 'post',
  path: '/v1/platform/sign-out',
  operationId: 'signOutOperator',
  tag: PLATFORM_TAG,
  scope: null,
  authentication: 'operator',
  bucket: 'write',
  sdk: { excluded: 'platform administration is not part of the tenant SDKs' },
  summary: 'End this operator session',
  response: z.object({ signed_out: z.literal(true) }),
  async handle({ runtime, operator, clientIp }) {
    await endOperatorSession(runtime.db, operator!.sessionId);
    await systemTransaction(runtime.db, [
      operatorAuditInsert({ operator: operator!, action: 'operator.signed_out', ip: clientIp }),
    ]);
    return { status: 200, body: { data: { signed_out: true as const } } };
  },
});

export const operatorSignInOperations = [signIn, signOut];
