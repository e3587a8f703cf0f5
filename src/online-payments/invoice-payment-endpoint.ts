// What online payments add to invoices: `POST /v1/invoices/{id}/payment-intent`, the card
// payment staff and integrators start for a customer (the customer portal pays the same way).
import { resourceEndpoint } from '../platform/resource/define-resource.ts';
import type { ResourceDefinition } from '../platform/contract.ts';
import { InvoicePaymentIntent, PayInvoiceInput, invoicePayments } from './invoice-payments.ts';

const paymentIntentEndpoint = resourceEndpoint({
  method: 'post',
  path: '/{id}/payment-intent',
  operationId: 'createInvoicePaymentIntent',
  summary: 'Start a card payment of the invoice (Stripe)',
  description:
    'A Stripe PaymentIntent in your connected Stripe account (`POST /v1/account/stripe`) for `amount` ' +
    '(default: `amount_due`) in the invoice currency. Confirm it in the browser with Stripe.js, the ' +
    '`publishable_key` and the `client_secret`. Asked again for the same amount before anything is paid, it ' +
    'answers the same PaymentIntent. When Stripe reports the payment to your Stripe inbound source, a `card` ' +
    'payment with `reference` = the PaymentIntent id is recorded and the invoice is paid (or part paid). ' +
    '`409 conflict`: the invoice is draft, paid or void; `409 payments_not_configured`: no Stripe account is ' +
    'connected, or Stripe refuses its key; `422` at `amount`: under 1 or over `amount_due`, or refused by Stripe; ' +
    '`503 service_unavailable`: Stripe could not be reached.',
  input: PayInvoiceInput,
  answers: InvoicePaymentIntent,
  run: ({ params, input, ctx }) => ctx.runtime.use(invoicePayments).payInvoice(ctx, params.id, input ?? {}),
});

/** The invoices resource, payable by card. */
export const payableInvoices = (resource: ResourceDefinition): ResourceDefinition => ({
  ...resource,
  endpoints: [...resource.endpoints, paymentIntentEndpoint],
});
