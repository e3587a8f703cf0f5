// Online payments: an account connects its Stripe account, and its invoices are paid by card
// through Stripe PaymentIntents; the inbound Stripe source records each payment when Stripe
// reports it (src/inbound/stripe-provider.ts).
import { defineModule, provide } from '../platform/api/module.ts';
import { payableInvoices } from './invoice-payment-endpoint.ts';
import { InvoicePayments, invoicePayments } from './invoice-payments.ts';
import { ONLINE_PAYMENTS_MIGRATIONS } from './online-payments-migrations.ts';
import type { StripeApiSettings } from './stripe-api.ts';
import { stripeConnectionOperations } from './stripe-connection-operations.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** Where Stripe's API is (FIELDLINE_STRIPE_URL); absent: Stripe's own, https://api.stripe.com. */
    stripe?: StripeApiSettings;
  }
}

export const onlinePaymentsModule = defineModule({
  name: 'online-payments',
  extend: { invoices: payableInvoices },
  operations: () => stripeConnectionOperations,
  migrations: ONLINE_PAYMENTS_MIGRATIONS,
  provides: [
    provide(
      invoicePayments,
      ({ options }) => new InvoicePayments(options.stripe),
      () => ({}),
    ),
  ],
});
