// The server settings of Stripe Billing, read from the environment with the rest of the
// configuration (src/config.ts): the platform's Stripe key and webhook secret, the billing meters
// overage is reported under, and the grace period before a past-due account is suspended.
import { z } from 'zod';
import type { StripeBillingSettings } from './stripe-billing-settings.ts';

const BillingEnv = z.object({
  STRIPE_BILLING_SECRET_KEY: z
    .string()
    .regex(/^[sr]k_(test|live)_[A-Za-z0-9]{8,247}$/, 'a Stripe secret key (sk_...)')
    .optional(),
  STRIPE_BILLING_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
  STRIPE_BILLING_REQUESTS_METER: z.string().min(1).max(100).default('fieldline_api_requests'),
  STRIPE_BILLING_AI_TOKENS_METER: z.string().min(1).max(100).default('fieldline_ai_tokens'),
  FIELDLINE_BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(7),
});

/** Absent without a key; throws, naming the variable, on a bad value or a key without its webhook secret. */
export function billingSettingsFromEnv(env: NodeJS.ProcessEnv): StripeBillingSettings | undefined {
  const parsed = BillingEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  if (!c.STRIPE_BILLING_SECRET_KEY !== !c.STRIPE_BILLING_WEBHOOK_SECRET)
    throw new Error('Invalid configuration: STRIPE_BILLING_SECRET_KEY and STRIPE_BILLING_WEBHOOK_SECRET go together');
  if (!c.STRIPE_BILLING_SECRET_KEY) return undefined;
  return {
    secretKey: c.STRIPE_BILLING_SECRET_KEY,
    webhookSecret: c.STRIPE_BILLING_WEBHOOK_SECRET!,
    graceDays: c.FIELDLINE_BILLING_GRACE_DAYS,
    meters: { requests: c.STRIPE_BILLING_REQUESTS_METER, aiTokens: c.STRIPE_BILLING_AI_TOKENS_METER },
  };
}
