// What the billing module provides and reads: Stripe Billing (with the platform's own key, not
// an account's Stripe connection) when it is configured, and its settings.
import { serviceKey } from '../platform/api/service-key.ts';
import type { StripeBilling } from './stripe-billing.ts';
import type { BillingCycle } from './billing-cycle.ts';
import type { Runtime } from '../platform/contract.ts';
import type { StripeBillingSettings } from './stripe-billing-settings.ts';

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
