// Plans and billing: plans as data (the `plans` table every credential's rates, quotas and
// features are read from), the plans an account may choose, its subscription and plan changes
// (409 when it does not fit the new plan), its usage and invoices per month, and, when Stripe
// Billing is configured, Stripe's customer, subscription, metered overage and invoice events.
// README: "Plans and billing".
import { defineModule, provide } from '../platform/api/module.ts';
import { BillingCycle } from './billing-cycle.ts';
import { BILLING_MIGRATIONS } from './billing-migrations.ts';
import { BILLING_SCOPES, billingOperations } from './billing-operations.ts';
import { billingCycle, stripeBilling } from './billing-services.ts';
import { BILLING_TAG } from './billing-tag.ts';
import { StripeBilling } from './stripe-billing.ts';
import { stripeBillingEventsOperation } from './stripe-billing-events.ts';

export const billingModule = defineModule({
  name: 'billing',
  migrations: BILLING_MIGRATIONS,
  scopes: BILLING_SCOPES,
  operations: () => [...billingOperations, stripeBillingEventsOperation],
  document: {
    tags: {
      [BILLING_TAG]: "Plans, the account's subscription, and what it owes: usage beyond the plan and monthly invoices.",
    },
  },
  provides: [
    provide(
      stripeBilling,
      ({ db, logger, options }) =>
        options.stripeBilling ? new StripeBilling(db, logger, options.stripeBilling, options.stripe) : null,
      // Nothing to start or stop: the billing cycle runs its schedule.
      () => ({}),
    ),
    provide(
      billingCycle,
      (runtime) => {
        const stripe = runtime.use(stripeBilling);
        return stripe ? new BillingCycle(runtime, stripe) : null;
      },
      (cycle) => cycle ?? {},
    ),
  ],
});
