// The server settings of credits, read from the environment with the rest of the configuration
// (src/config.ts): what texts and LLM calls cost, the price of a credit, and the platform's Stripe
// account that takes top-ups.
import { z } from 'zod';
import type { CreditSettings } from './credit-costs.ts';

const CreditEnv = z.object({
  FIELDLINE_CREDITS_PER_SMS_SEGMENT: z.coerce.number().int().min(0).max(1_000).default(1),
  FIELDLINE_AI_TOKENS_PER_CREDIT: z.coerce.number().int().min(1).max(10_000_000).default(1_000),
  FIELDLINE_CREDIT_PRICE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1)
    .describe("What one credit costs in FIELDLINE_CREDIT_CURRENCY's minor unit"),
  FIELDLINE_CREDIT_CURRENCY: z
    .string()
    .regex(/^[a-z]{3}$/, 'a lowercase ISO 4217 code, e.g. usd')
    .default('usd'),
  FIELDLINE_CREDITS_STRIPE_SECRET_KEY: z
    .string()
    .regex(/^[sr]k_(test|live)_[A-Za-z0-9]{8,247}$/, 'a Stripe secret key (sk_...)')
    .optional(),
  FIELDLINE_CREDITS_STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
});

/** Throws, naming the variable, on a bad value; both Stripe settings or neither. */
export function creditSettingsFromEnv(env: NodeJS.ProcessEnv): Partial<CreditSettings> {
  const parsed = CreditEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  if (!c.FIELDLINE_CREDITS_STRIPE_SECRET_KEY !== !c.FIELDLINE_CREDITS_STRIPE_WEBHOOK_SECRET)
    throw new Error(
      'Invalid configuration: FIELDLINE_CREDITS_STRIPE_SECRET_KEY and ' +
        'FIELDLINE_CREDITS_STRIPE_WEBHOOK_SECRET go together',
    );
  return {
    perSmsSegment: c.FIELDLINE_CREDITS_PER_SMS_SEGMENT,
    aiTokensPerCredit: c.FIELDLINE_AI_TOKENS_PER_CREDIT,
    unitPrice: c.FIELDLINE_CREDIT_PRICE,
    currency: c.FIELDLINE_CREDIT_CURRENCY,
    stripe: c.FIELDLINE_CREDITS_STRIPE_SECRET_KEY
      ? {
          secretKey: c.FIELDLINE_CREDITS_STRIPE_SECRET_KEY,
          webhookSecret: c.FIELDLINE_CREDITS_STRIPE_WEBHOOK_SECRET!,
        }
      : undefined,
  };
}
