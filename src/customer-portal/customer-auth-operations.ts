// Signing in to the customer portal: POST /v1/customer/auth/start sends a code and a magic link to
// an address on record; POST /v1/customer/auth/verify trades either for a session (a bearer token
// and an HttpOnly cookie); POST /v1/customer/auth/sign-out ends it.
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { rateLimiter } from '../limits/limits-services.ts';
import type { OperationCall } from '../platform/api/operation.ts';
import type { Runtime } from '../platform/contract.ts';
import { Email } from '../auth/session-answers.ts';
import { asAccount, asCustomer } from './customer-context.ts';
import { resolvePortalAccount } from './portal-address.ts';
import {
  CODE_ATTEMPTS,
  CODE_MINUTES,
  linkHash,
  redeemSignInCode,
  sendSignInCode,
  SENDS_PER_ADDRESS,
  sentTo,
  type Address,
  type RedeemedCode,
} from './sign-in-codes.ts';
import {
  CUSTOMER_COOKIE,
  CUSTOMER_SESSION_HOURS,
  endCustomerSessions,
  openCustomerSession,
} from './customer-sessions.ts';

const TAG = 'Customer portal';
const FAILED_CODES_PER_ADDRESS = { limit: 10, windowSeconds: 900 };

const AccountId = z
  .string()
  .min(1)
  .max(64)
  .describe("The account (business) the customer signs in to: its id, or its customer pages' slug.");
const Phone = z.string().trim().min(5).max(32);
const Start = z.union([
  z.strictObject({ account_id: AccountId, email: Email }),
  z.strictObject({ account_id: AccountId, phone: Phone }),
]);
const SignInCode = z
  .string()
  .regex(/^[0-9]{6}$/, 'Expected the six digits of the code')
  .meta({ examples: ['123456'] });
const Verify = z.union([
  z.strictObject({
    account_id: AccountId,
    email: Email,
    code: SignInCode,
  }),
  z.strictObject({
    account_id: AccountId,
    phone: Phone,
    code: SignInCode,
  }),
  z.strictObject({
    token: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/)
      .describe("The magic link's token."),
  }),
]);

function addressOf(body: { email?: string; phone?: string }): { address: Address; key: string } {
  const address: Address = body.email !== undefined ? { email: body.email } : { phone: body.phone! };
  const key = sentTo(address);
  if (!key) throw validationFailed([{ path: 'phone', message: 'Not a phone number that can receive texts' }]);
  return { address, key };
}

const startOperation = defineOperation({
  method: 'post',
  path: '/v1/customer/auth/start',
  operationId: 'startCustomerSignIn',
  tag: TAG,
  scope: null,
  authentication: 'none',
  bucket: 'write',
  summary: 'Send a customer a sign-in code',
  description:
    `Mails (or texts, when the account has an SMS provider) a six-digit code and a magic link to the address, ` +
    `if it is a customer's or a contact's at a customer, and their portal access is not revoked. Both work once, ` +
    `for ${CODE_MINUTES} minutes. The answer is the same whether or not the address is known. At most ` +
    `${SENDS_PER_ADDRESS.limit} codes go to one address in ${SENDS_PER_ADDRESS.windowSeconds / 60} minutes.`,
  body: Start,
  response: z.object({
    object: z.literal('customer_sign_in'),
    channel: z.enum(['email', 'sms']),
    code_lifetime_minutes: z.int(),
  }),
  successStatus: 202,
  async handle(call) {
    const { runtime, body } = call;
    const { address, key } = addressOf(body as { email?: string; phone?: string });
    const channel = 'email' in address ? 'email' : 'sms';
    if (channel === 'sms' && !runtime.options.sms)
      throw validationFailed([{ path: 'phone', message: 'Codes are sent by email here: give `email`' }]);
    const answer = { object: 'customer_sign_in' as const, channel, code_lifetime_minutes: CODE_MINUTES };
    const accountId = await resolvePortalAccount(runtime.db, body.account_id);
    const sends = await runtime
      .use(rateLimiter)
      .consume('customer_sign_in', `${accountId ?? body.account_id}:${key}`, SENDS_PER_ADDRESS);
    if (sends.allowed && accountId) await asAccount(call, accountId, (ctx) => sendSignInCode(ctx, address, key));
    return { status: 202, body: { data: answer } };
  },
});

async function redeem(call: OperationCall<unknown, z.infer<typeof Verify>>): Promise<{
  accountId: string;
  redeemed: RedeemedCode | null;
  failures?: string;
}> {
  const { runtime, body } = call;
  if ('token' in body) {
    const hash = linkHash(body.token);
    const [found] = await systemQuery<{ account_id: string }>(runtime.db, {
      sql: 'SELECT account_id FROM customer_sign_in_codes WHERE link_hash = $1',
      parameters: [`\\x${hash.toString('hex')}`],
    });
    if (!found) return { accountId: '', redeemed: null };
    return {
      accountId: found.account_id,
      redeemed: await asAccount(call, found.account_id, (ctx) => redeemSignInCode(ctx, { linkHash: hash })),
    };
  }
  const { key } = addressOf(body);
  const accountId = await resolvePortalAccount(runtime.db, body.account_id);
  const failures = `${accountId ?? body.account_id}:${key}`;
  const limiter = runtime.use(rateLimiter);
  if ((await limiter.peek('customer_code_failure', failures, FAILED_CODES_PER_ADDRESS)).remaining <= 0)
    throw new ApiError('rate_limited', 'Too many wrong codes for this address: ask for a new code in 15 minutes');
  const redeemed = accountId
    ? await asAccount(call, accountId, (ctx) => redeemSignInCode(ctx, { key, code: body.code }))
    : null;
  if (!redeemed) await limiter.consume('customer_code_failure', failures, FAILED_CODES_PER_ADDRESS);
  return { accountId: accountId ?? '', redeemed };
}

function sessionCookie(runtime: Runtime, value: string, maxAgeSeconds: number): string {
  const secure = runtime.options.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${CUSTOMER_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

const verifyOperation = defineOperation({
  method: 'post',
  path: '/v1/customer/auth/verify',
  operationId: 'verifyCustomerSignIn',
  tag: TAG,
  scope: null,
  authentication: 'none',
  bucket: 'write',
  summary: 'Sign a customer in with their code or magic link',
  description:
    `Trades the code (with the address it was sent to) or the magic link's token for a customer session of ` +
    `${CUSTOMER_SESSION_HOURS} hours: its token is answered once, and set as an HttpOnly cookie for the hosted ` +
    `pages. A code is single-use and dies after ${CODE_ATTEMPTS} wrong guesses; a wrong, used or expired code ` +
    `is a 422 that says nothing more.`,
  body: Verify,
  response: z.object({
    object: z.literal('customer_session'),
    token: z.string().describe('Send it as `Authorization: Bearer flc_...`; shown once.'),
    expires_at: z.string(),
    customer: z.object({ id: z.string(), name: z.string() }),
  }),
  async handle(call) {
    const { accountId, redeemed } = await redeem(call);
    if (!redeemed)
      throw validationFailed([
        {
          path: 'token' in call.body ? 'token' : 'code',
          message: 'This code is wrong, used or expired: ask for a new one',
        },
      ]);
    const { session, name } = await asAccount(call, accountId, async (ctx) => {
      const [customer] = await ctx.tx.query<{ name: string }>({
        sql: 'SELECT name FROM customers WHERE account_id = $1 AND id = $2',
        parameters: [accountId, redeemed.customerId],
      });
      const opened = openCustomerSession(ctx, {
        customerId: redeemed.customerId,
        contactId: redeemed.contactId,
        ip: call.clientIp,
        userAgent: call.headers.get('user-agent'),
      });
      return { session: opened, name: customer.name };
    });
    return {
      status: 200,
      body: {
        data: {
          object: 'customer_session',
          token: session.token,
          expires_at: session.expiresAt,
          customer: { id: redeemed.customerId, name },
        },
      },
      headers: [
        ['Set-Cookie', sessionCookie(call.runtime, session.token, CUSTOMER_SESSION_HOURS * 3600)],
        ['Cache-Control', 'no-store'],
      ],
    };
  },
});

const signOutOperation = defineOperation({
  method: 'post',
  path: '/v1/customer/auth/sign-out',
  operationId: 'signOutCustomer',
  tag: TAG,
  scope: null,
  authentication: 'customer',
  bucket: 'write',
  summary: "End the customer's session",
  description: 'The token and cookie stop working at once, on every server.',
  response: z.object({ object: z.literal('customer_session'), signed_out: z.literal(true) }),
  async handle(call) {
    await asCustomer(call, async (ctx) => endCustomerSessions(ctx, { sessionId: ctx.principal.customerSessionId! }));
    return {
      status: 200,
      body: { data: { object: 'customer_session', signed_out: true } },
      headers: [['Set-Cookie', sessionCookie(call.runtime, '', 0)]],
    };
  },
});

export const customerAuthOperations = [startOperation, verifyOperation, signOutOperation];
