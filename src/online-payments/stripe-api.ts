// Talking to Stripe: the official SDK with an account's secret key, pointed at Stripe's API or
// (development, tests) at a stand-in named by FIELDLINE_STRIPE_URL; and what Stripe's refusals
// mean to our callers, with the key never repeated in what we answer.
import type Stripe from 'stripe';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { lazyRequire } from '../platform/lazy-require.ts';

/** The Stripe SDK, loaded by the first payment call or Stripe webhook, not at start. */
const stripeSdk = lazyRequire<typeof Stripe>('stripe');

/** Where Stripe's API is: the SDK's `host`, `port` and `protocol`. */
export interface StripeApiSettings {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

/** `https://api.stripe.com` (FIELDLINE_STRIPE_URL) -> the SDK's settings. */
export function stripeApiFromUrl(url: string): StripeApiSettings {
  const parsed = new URL(url);
  const protocol = parsed.protocol === 'http:' ? 'http' : 'https';
  return { host: parsed.hostname, port: Number(parsed.port) || (protocol === 'http' ? 80 : 443), protocol };
}

/** A call to Stripe waits this long; the SDK retries once (same idempotency key) on a network failure. */
const TIMEOUT_MS = 20_000;

/** A client acting with `secretKey`; `api` absent: Stripe's own API. */
export function stripeClient(secretKey: string, api?: StripeApiSettings): Stripe {
  const Stripe = stripeSdk();
  return new Stripe(secretKey, {
    ...api,
    maxNetworkRetries: 1,
    timeout: TIMEOUT_MS,
    telemetry: false,
    appInfo: { name: 'Fieldline' },
  });
}

/** The secret key's shape: a secret (`sk_`) or restricted (`rk_`) key, test or live. */
export const SECRET_KEY_PATTERN = /^[sr]k_(test|live)_[A-Za-z0-9]{8,247}$/;
export const PUBLISHABLE_KEY_PATTERN = /^pk_(test|live)_[A-Za-z0-9]{8,247}$/;

/** `test` or `live`, from a key's prefix. */
export const keyMode = (key: string): 'test' | 'live' => (/^[a-z]k_live_/.test(key) ? 'live' : 'test');

/** Stripe's words, with the key taken out should they ever quote it whole (they mask it). */
export function stripeMessage(error: unknown, secretKey: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(secretKey).join(`${secretKey.slice(0, 8)}…`);
}

export const isStripeError = (error: unknown): error is Stripe.errors.StripeError =>
  error instanceof stripeSdk().errors.StripeError;

/** Stripe did not answer, or answered that it failed: worth retrying later. */
export function stripeUnavailable(error: Stripe.errors.StripeError, secretKey: string): ApiError {
  return new ApiError('service_unavailable', `Stripe could not be reached: ${stripeMessage(error, secretKey)}`);
}

/**
 * Stripe's refusal of a payment call, as our problem: a key it no longer accepts means online
 * payment is not set up; a request it refuses (an amount under its minimum) is the caller's.
 */
export function paymentProblem(error: unknown, secretKey: string): unknown {
  if (!isStripeError(error)) return error;
  const message = stripeMessage(error, secretKey);
  switch (error.type) {
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return new ApiError(
        'payments_not_configured',
        `Stripe refused the account's secret key (${message}); connect Stripe again at POST /v1/account/stripe`,
      );
    case 'StripeInvalidRequestError':
    case 'StripeCardError':
      return validationFailed([{ path: error.param === 'amount' ? 'amount' : '', message: `Stripe: ${message}` }]);
    case 'StripeIdempotencyError':
      return new ApiError('conflict', `Stripe: ${message}`);
    default:
      return stripeUnavailable(error, secretKey);
  }
}
