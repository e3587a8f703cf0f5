// Stripe Billing's settings, read from the environment (billing-config.ts) and held by the
// runtime's options: a file of its own so the client, the cycle and the services share it one way.
export interface StripeBillingSettings {
  /** The platform's Stripe secret key (STRIPE_BILLING_SECRET_KEY). */
  secretKey: string;
  /** Signs the Stripe events posted to /v1/billing/stripe/events (STRIPE_BILLING_WEBHOOK_SECRET). */
  webhookSecret: string;
  /** Days an account stays past due before it is suspended (FIELDLINE_BILLING_GRACE_DAYS). */
  graceDays: number;
  /** The billing meters' event names overage is reported under. */
  meters: { requests: string; aiTokens: string };
}
