// POST /v1/billing/stripe/events: Stripe Billing reports on the invoices of Fieldline's own
// subscriptions (the platform's Stripe account, STRIPE_BILLING_WEBHOOK_SECRET). A failed payment
// puts the account's subscription past due (the grace period starts at the first failure); a paid
// invoice makes it active again. Each change is written in the account's audit trail.
import { z } from 'zod';
import type Stripe from 'stripe';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { auditStatement } from '../audit/record-audit.ts';
import { SYSTEM_ACTOR } from '../audit/actor.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { stripeBillingOf } from './billing-services.ts';
import { BILLING_TAG } from './billing-tag.ts';
import { announceAccountChange, statusUpdate } from '../platform-admin/account-status-change.ts';

const Outcome = z.object({
  outcome: z.enum(['past_due', 'active', 'ignored']),
  detail: z.string(),
});

const answer = (outcome: z.infer<typeof Outcome>['outcome'], detail: string) => ({
  status: 200,
  body: { data: { outcome, detail } },
});

const STATUS_OF: Record<string, 'past_due' | 'active'> = {
  'invoice.payment_failed': 'past_due',
  'invoice.paid': 'active',
};

const customerOf = (invoice: Stripe.Invoice): string | null =>
  typeof invoice.customer === 'string' ? invoice.customer : (invoice.customer?.id ?? null);

export const stripeBillingEventsOperation = defineOperation({
  method: 'post',
  path: '/v1/billing/stripe/events',
  operationId: 'receiveStripeBillingEvent',
  tag: BILLING_TAG,
  scope: null,
  authentication: 'signature',
  bucket: 'write',
  summary: "Receive Stripe Billing's invoice events",
  description:
    "For the platform's Stripe account, not API clients. Authenticated by `Stripe-Signature`. " +
    '`invoice.payment_failed` makes the subscription `past_due` (suspended after FIELDLINE_BILLING_GRACE_DAYS); ' +
    '`invoice.paid` makes it `active` again. Other events are acknowledged and ignored.',
  text: { schema: z.object({}).describe("Stripe's event, exactly as signed."), mediaType: 'application/json' },
  response: Outcome,
  sdk: { excluded: 'called by Stripe' },
  async handle(call) {
    const { runtime } = call;
    const stripe = stripeBillingOf(runtime);
    let event: Stripe.Event;
    try {
      if (!stripe) throw new Error('Stripe Billing is not configured');
      event = stripe.verifyEvent(String(call.body), call.headers.get('stripe-signature') ?? '');
    } catch {
      await call.refuseCredential();
      throw new ApiError('invalid_signature', 'The Stripe-Signature header does not sign this request');
    }
    const status = STATUS_OF[event.type];
    if (!status) return answer('ignored', `${event.type} changes no subscription`);
    const invoice = event.data.object as Stripe.Invoice;
    const customer = customerOf(invoice);
    const [row] = await systemQuery(runtime.db, {
      sql: 'SELECT account_id, status FROM billing_subscriptions WHERE stripe_customer_id = $1',
      parameters: [customer],
    });
    if (!row) return answer('ignored', `no account is billed as Stripe customer ${customer}`);
    call.attribute(accountPrincipal(row.account_id));
    if (row.status === status) return answer(status, `${row.account_id} was already ${status}`);
    const now = new Date(event.created * 1000).toISOString();
    // A payment lifts billing's own suspension, if it is still the one in force (no operator changed
    // the account's status since).
    const [resumable] =
      status === 'active'
        ? await systemQuery(runtime.db, {
            sql: `SELECT 1 FROM billing_subscriptions s JOIN accounts a ON a.id = s.account_id
                   WHERE s.account_id = $1 AND a.status = 'suspended' AND a.status_changed_at = s.suspended_at`,
            parameters: [row.account_id],
          })
        : [];
    const resume = resumable
      ? [
          ...statusUpdate(row.account_id, 'active'),
          auditStatement(row.account_id, {
            action: 'subscription.resumed',
            actor: SYSTEM_ACTOR,
            resourceType: 'subscription',
            resourceId: row.account_id,
            changes: { status: { from: 'suspended', to: 'active' }, stripe_invoice_id: invoice.id ?? '' },
          }),
        ]
      : [];
    await systemTransaction(runtime.db, [
      ...resume,
      {
        // The grace period runs from the first failure; a later failure does not restart it.
        sql: `UPDATE billing_subscriptions SET status = $2,
                past_due_since = CASE WHEN $2 = 'past_due' THEN coalesce(past_due_since, $3::timestamptz) END,
                suspended_at = CASE WHEN $2 = 'past_due' THEN suspended_at END, updated_at = now()
              WHERE account_id = $1`,
        parameters: [row.account_id, status, now],
      },
      auditStatement(row.account_id, {
        action: status === 'past_due' ? 'subscription.past_due' : 'subscription.paid',
        actor: SYSTEM_ACTOR,
        resourceType: 'subscription',
        resourceId: row.account_id,
        changes: { status: { from: row.status, to: status }, stripe_invoice_id: invoice.id ?? '' },
      }),
    ]);
    if (resumable) await announceAccountChange(runtime, row.account_id);
    return answer(status, `${row.account_id} is ${status} (${event.type} ${invoice.id})`);
  },
});
