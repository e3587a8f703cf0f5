// GET, POST and DELETE /v1/account/stripe: connect the account's Stripe account, whose key
// Stripe must accept (GET /v1/account) before it is kept, see it, and disconnect it.
import { refuseLiveStripeKeyInTestMode } from '../sandbox/test-mode-guards.ts';
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { validationFailed } from '../platform/errors.ts';
import type { Runtime } from '../platform/contract.ts';
import {
  PUBLISHABLE_KEY_PATTERN,
  SECRET_KEY_PATTERN,
  isStripeError,
  keyMode,
  stripeClient,
  stripeMessage,
  stripeUnavailable,
  type StripeApiSettings,
} from './stripe-api.ts';
import {
  StripeConnection,
  deleteStripeConnection,
  readStripeConnection,
  saveStripeConnection,
  type VerifiedConnection,
} from './stripe-connection.ts';

const ConnectStripe = z.strictObject({
  secret_key: z
    .string()
    .regex(SECRET_KEY_PATTERN, 'Expected a Stripe secret key: sk_test_..., sk_live_... or a restricted rk_ key')
    .meta({ examples: ['sk_test_51ExampleSecretKey'] })
    .describe('From the Stripe dashboard (Developers, API keys). Write-only: stored encrypted, never returned.'),
  publishable_key: z
    .string()
    .regex(PUBLISHABLE_KEY_PATTERN, 'Expected a Stripe publishable key: pk_test_... or pk_live_...')
    .meta({ examples: ['pk_test_51ExamplePublishableKey'] })
    .describe('The publishable key of the same Stripe account and mode.'),
});

/** Asks Stripe whose key it is; a key Stripe refuses is the caller's mistake (422 at `secret_key`). */
async function verifyWithStripe(
  body: z.infer<typeof ConnectStripe>,
  api: StripeApiSettings | undefined,
): Promise<VerifiedConnection> {
  const { secret_key: secretKey, publishable_key: publishableKey } = body;
  const mode = keyMode(secretKey);
  if (keyMode(publishableKey) !== mode)
    throw validationFailed([{ path: 'publishable_key', message: `must be a ${mode} key, like the secret key` }]);
  try {
    const account = await stripeClient(secretKey, api).accounts.retrieveCurrent();
    return {
      secretKey,
      publishableKey,
      mode,
      stripeAccountId: account.id,
      stripeAccountName: account.settings?.dashboard?.display_name ?? account.business_profile?.name ?? null,
    };
  } catch (error) {
    if (!isStripeError(error)) throw error;
    const refused = ['StripeAuthenticationError', 'StripePermissionError', 'StripeInvalidRequestError'];
    if (!refused.includes(error.type)) throw stripeUnavailable(error, secretKey);
    throw validationFailed([
      { path: 'secret_key', message: `Stripe refused the key: ${stripeMessage(error, secretKey)}` },
    ]);
  }
}

const stripeApi = (runtime: Runtime) => runtime.options.stripe;

export const stripeConnectionOperations = [
  defineOperation({
    method: 'get',
    path: '/v1/account/stripe',
    operationId: 'getStripeConnection',
    tag: 'Account',
    scope: 'read:account',
    bucket: 'read',
    summary: 'Retrieve your Stripe connection',
    description:
      'Whether invoices can be paid by card online, with which Stripe account and publishable key. ' +
      'The secret key is never returned.',
    response: StripeConnection,
    async handle({ runtime, principal }) {
      return { status: 200, body: { data: await readStripeConnection(runtime.db, principal.accountId) } };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/v1/account/stripe',
    operationId: 'connectStripe',
    tag: 'Account',
    scope: 'write:account',
    bucket: 'write',
    summary: 'Connect your Stripe account',
    description:
      'Customers then pay invoices by card (`POST /v1/invoices/{id}/payment-intent`). The secret key is checked ' +
      "with Stripe (`GET /v1/account`) and kept encrypted; a key Stripe refuses is a 422 with Stripe's reason at " +
      '`secret_key`. Replaces any earlier connection. Payments are recorded when Stripe reports them: add an ' +
      'inbound source (`POST /v1/inbound-sources`, provider `stripe`) and give its URL to a Stripe webhook ' +
      'endpoint sending `payment_intent.succeeded` and `charge.refunded`.',
    body: ConnectStripe,
    response: StripeConnection,
    async handle({ runtime, principal, body }) {
      refuseLiveStripeKeyInTestMode(principal, keyMode(body.secret_key));
      const verified = await verifyWithStripe(body, stripeApi(runtime));
      const saved = await saveStripeConnection(runtime.db, runtime.secrets, principal.accountId, verified);
      return { status: 200, body: { data: saved } };
    },
  }),
  defineOperation({
    method: 'delete',
    path: '/v1/account/stripe',
    operationId: 'disconnectStripe',
    tag: 'Account',
    scope: 'write:account',
    bucket: 'write',
    summary: 'Disconnect your Stripe account',
    description:
      'Forgets the keys: invoices can no longer be paid online (`409 payments_not_configured`). ' +
      'Payments already made are kept, and Stripe events still reach your inbound sources.',
    response: StripeConnection,
    async handle({ runtime, principal }) {
      return { status: 200, body: { data: await deleteStripeConnection(runtime.db, principal.accountId) } };
    },
  }),
];
