// Pulling payments recorded in QuickBooks: CDC lists the payments changed since the cursor; each
// one applied to an invoice we pushed becomes our payment on that invoice (one per invoice it
// pays), linked as `<payment Id>:<invoice Id>` so it is recorded once however often CDC lists it.
// Payments we pushed (linked by their Id) are ours already. What cannot be recorded (the invoice
// is paid or void here, more than is due, another currency) is reported, not forced. QuickBooks
// wins for its payments: one deleted or voided there after we recorded it is refunded here.
import type { SyncWrite } from '../connector.ts';
import { selectRow } from '../../platform/operations/row-statements.ts';
import type { QboEntity, QuickBooksClient } from './qbo-client.ts';
import { paymentApplications, type PaymentApplication } from './qbo-mapping.ts';
import { AmountError, fromQboAmount } from './qbo-money.ts';
import { PROVIDER } from './qbo-records.ts';

/** CDC looks back 30 days at most; older cursors read through a query instead. */
const CDC_WINDOW_MS = 29 * 86_400_000;
/** CDC answers at most this many entities of a kind. */
const CDC_LIMIT = 1000;

export interface PulledPage {
  payments: QboEntity[];
  /** Where the next page (or run) reads from. */
  next: string;
  /** More changes wait at `next` (CDC's 1,000 cap was reached). */
  more: boolean;
}

const updatedAt = (entity: QboEntity) => Date.parse(String(entity.MetaData?.LastUpdatedTime ?? ''));

/**
 * The payments changed at or after `since`. The next cursor is when this read started, a minute
 * early (clocks differ; payments seen twice are recorded once), or, at CDC's cap, the newest seen.
 */
export async function changedPayments(client: QuickBooksClient, since: Date, now = Date.now()): Promise<PulledPage> {
  const startedAt = new Date(now - 60_000).toISOString();
  const payments =
    since.getTime() < now - CDC_WINDOW_MS
      ? await client.query('Payment', `MetaData.LastUpdatedTime >= '${since.toISOString()}'`)
      : ((await client.changedSince(['Payment'], since)).Payment ?? []);
  if (payments.length < CDC_LIMIT) return { payments, next: startedAt, more: false };
  const newest = Math.max(...payments.map(updatedAt).filter(Number.isFinite));
  // A full answer whose newest is the cursor itself cannot move on: take the rest next run.
  if (!Number.isFinite(newest) || newest <= since.getTime()) return { payments, next: startedAt, more: false };
  return { payments, next: new Date(newest).toISOString(), more: true };
}

/** Records the page's payments (the write of one sync step). */
export async function recordPulledPayments(
  { ctx, links, tally }: SyncWrite,
  payments: QboEntity[],
  realmId: string,
): Promise<void> {
  /** A link made with the connected company (after a reconnect to another, older links are stale). */
  const find = async (collection: string, externalId: string) => {
    const link = await links.find(collection, externalId);
    return link?.metadata.realm === realmId ? link : undefined;
  };
  for (const payment of payments) {
    if (payment.status === 'Deleted') {
      await withdrawDeleted({ ctx, links, tally }, payment.Id, realmId);
      continue;
    }
    let applications: PaymentApplication[];
    try {
      applications = paymentApplications(payment);
    } catch {
      tally.failed(`Payment ${payment.Id}`, 'not a QuickBooks Payment of the documented shape');
      continue;
    }
    if (await find('payments', payment.Id)) {
      tally.skipped(); // one we pushed
      continue;
    }
    for (const application of applications) await recordApplication({ ctx, links, tally }, find, application, realmId);
  }
}

async function recordApplication(
  { ctx, links, tally }: SyncWrite,
  find: (collection: string, externalId: string) => Promise<{ recordId: string } | undefined>,
  application: PaymentApplication,
  realmId: string,
): Promise<void> {
  const label = `Payment ${application.paymentId} on Invoice ${application.invoiceRef}`;
  const recorded = await find('payments', application.key);
  // Voided in QuickBooks (its amounts now 0): QuickBooks wins for its payments, ours is refunded.
  if (recorded && application.amounts.every((amount) => amount === 0))
    return withdraw(ctx, tally, recorded.recordId, `Payment ${application.paymentId} was voided in QuickBooks`);
  if (recorded) return tally.skipped();
  const invoiceLink = await find('invoices', application.invoiceRef);
  if (!invoiceLink) return tally.skipped(); // an invoice made in QuickBooks, not ours
  const invoices = ctx.registry.get('invoices');
  const [invoice] = await ctx.tx.query(selectRow(invoices, ctx.tx.accountId, invoiceLink.recordId, { lock: true }));
  if (!invoice) return tally.failed(label, `invoice ${invoiceLink.recordId} no longer exists here`);
  if (application.currency && application.currency !== invoice.currency)
    return tally.failed(label, `paid in ${application.currency}, the invoice is in ${invoice.currency}`);
  let amount = 0;
  try {
    for (const value of application.amounts) amount += fromQboAmount(value, invoice.currency);
  } catch (error) {
    if (error instanceof AmountError) return tally.failed(label, error.message);
    throw error;
  }
  if (amount <= 0) return tally.skipped();
  if (invoice.status !== 'open' && invoice.status !== 'overdue')
    return tally.failed(label, `invoice ${invoice.id} is ${invoice.status} here; record the payment by hand if due`);
  if (amount > invoice.amount_due)
    return tally.failed(label, `${amount} is more than the ${invoice.amount_due} due on ${invoice.id}`);
  const created = await ctx.create('payments', {
    amount,
    currency: invoice.currency,
    method: 'other',
    invoice_id: invoice.id,
    reference:
      `QuickBooks payment ${application.paymentId}` + (application.reference ? ` (${application.reference})` : ''),
  });
  links.upsert({
    collection: 'payments',
    recordId: String(created.id),
    externalId: application.key,
    metadata: { origin: 'quickbooks', realm: realmId },
  });
  tally.created();
}

/** Refunds our payment recorded from a QuickBooks payment that is gone there (deleted, voided). */
async function withdraw(ctx: SyncWrite['ctx'], tally: SyncWrite['tally'], paymentId: string, reason: string) {
  const payments = ctx.registry.get('payments');
  const [payment] = await ctx.tx.query(selectRow(payments, ctx.tx.accountId, paymentId, { lock: true }));
  if (payment?.status !== 'succeeded') return tally.skipped();
  await ctx.runAction('payments', paymentId, 'refund', { reason });
  tally.updated();
}

/** A QuickBooks payment deleted there: every payment of ours recorded from it is refunded. */
async function withdrawDeleted({ ctx, tally }: SyncWrite, paymentId: string, realmId: string): Promise<void> {
  const recorded = await ctx.tx.query<{ record_id: string }>({
    sql: `SELECT record_id FROM integration_links
           WHERE account_id = $1 AND provider = $2 AND collection = 'payments' AND metadata->>'realm' = $3
             AND metadata->>'origin' = 'quickbooks' AND left(external_id, length($4) + 1) = $4 || ':'`,
    parameters: [ctx.tx.accountId, PROVIDER, realmId, paymentId],
  });
  if (recorded.length === 0) return tally.skipped();
  for (const { record_id } of recorded)
    await withdraw(ctx, tally, record_id, `Payment ${paymentId} was deleted in QuickBooks`);
}
