// Plans and billing: plans as data (the `plans` table every credential's rates, quotas and
// features are read from), the plans an account may choose, its subscription and plan changes
// (409 when it does not fit the new plan), and its usage and invoices computed per month.
// README: "Plans and billing".
import { defineModule } from '../platform/api/module.ts';
import { BILLING_MIGRATIONS } from './billing-migrations.ts';
import { BILLING_SCOPES, BILLING_TAG, billingOperations } from './billing-operations.ts';

export const billingModule = defineModule({
  name: 'billing',
  migrations: BILLING_MIGRATIONS,
  scopes: BILLING_SCOPES,
  operations: () => billingOperations,
  document: {
    tags: {
      [BILLING_TAG]: "Plans, the account's subscription, and what it owes: usage beyond the plan and monthly invoices.",
    },
  },
});
