// What the billing module provides and reads: Stripe Billing (with the platform's own key, not
// an account's Stripe connection) when it is configured, and its settings.
import { serviceKey } from '../platform/api/service-key.ts';
import type { StripeBilling } from './stripe-billing.ts';
import type { BillingCycle } from './billing-cycle.ts';
import type { Runtime } from '../platform/contract.ts';

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

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** Fieldline billing its accounts through Stripe Billing; absent: usage is computed and shown, not charged. */
    stripeBilling?: StripeBillingSettings;
  }
}

/** Null when Stripe Billing is not configured. */
export const stripeBilling = serviceKey<StripeBilling | null>('Stripe Billing');

/** Overage reports and past-due suspensions on a schedule; null without Stripe Billing. */
export const billingCycle = serviceKey<BillingCycle | null>('the Stripe billing cycle');

export const stripeBillingOf = (runtime: Runtime): StripeBilling | null => runtime.find(stripeBilling) ?? null;
