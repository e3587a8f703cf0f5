// Dunning: the scheduled sweep that turns open invoices past their due date into `overdue`
// (`invoice.overdue`) and mails the reminders the account asked for (`overdue_reminder_days` in
// its branding, counted in its time zone). An invoice is due through its due date, so it is
// overdue from the next day. Each reminder is a row keyed by (invoice, day) written with its mail,
// so it goes once however often the sweep runs, on however many nodes; a sweep that finds several
// reminders due at once (the server was down, the setting is new) sends only the latest.
import type { Logger } from 'pino';
import { systemQuery } from '../../db/system-query.ts';
import { withTenantTransaction } from '../../db/tenant-transaction.ts';
import { accountPrincipal } from '../../platform/operations/principal.ts';
import { createOperationContext } from '../../platform/operations/operation-context.ts';
import { loadRowOrThrow } from '../../platform/operations/load-row.ts';
import type { OperationContext, Runtime } from '../../platform/contract.ts';
import { PeriodicSweep, type SweepOptions } from '../../platform/jobs/periodic-job.ts';
import { loadBranding } from '../branding.ts';
import { formatDate, formatMoney } from '../documents/money.ts';
import { customerAddress, mailDocument } from '../documents/send-document.ts';

export interface DunningReport {
  /** Invoices that turned overdue. */
  overdue: number;
  /** Reminders mailed. */
  reminded: number;
  /** Reminders due to a customer with no email address (recorded, not retried). */
  unreachable: number;
}

/** An invoice the sweep may have work for, with its account's settings. */
interface Candidate {
  account_id: string;
  id: string;
  status: 'open' | 'overdue';
  due_date: string;
  time_zone: string;
  reminder_days: number[];
  reminded_through: number;
}

const PAGE = 500;
const DAY_MS = 86_400_000;

/** The calendar day (YYYY-MM-DD) it is at `now` in `timeZone`. */
const localDay = (now: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(now);

/** Whole days from `due` to `day` (both YYYY-MM-DD). */
const daysBetween = (due: string, day: string) => Math.round((Date.parse(day) - Date.parse(due)) / DAY_MS);

/** What the sweep owes an invoice today: the overdue transition, and the reminder (a day of the setting) to send. */
function workFor(invoice: Candidate, now: number): { overdue: boolean; reminder: number | null } | null {
  const late = daysBetween(invoice.due_date, localDay(now, invoice.time_zone));
  if (late < 1) return null;
  const reminder = invoice.reminder_days.filter((day) => day <= late && day > invoice.reminded_through).at(-1) ?? null;
  const overdue = invoice.status === 'open';
  return overdue || reminder !== null ? { overdue, reminder } : null;
}

export class InvoiceDunning extends PeriodicSweep {
  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    everyMs = 600_000,
  ) {
    super(runtime.db, logger, { name: 'invoice-dunning', everyMs });
  }

  /** Sweeps every account's invoices (or only `accountIds`'s) as of `now`. Safe to run on several nodes at once. */
  async sweep({ now = Date.now(), accountIds }: SweepOptions = {}) {
    const report: DunningReport = { overdue: 0, reminded: 0, unreachable: 0 };
    // No time zone is more than a day ahead of UTC: later due dates cannot be late anywhere.
    const latestDue = new Date(now).toISOString().slice(0, 10);
    let after = { account_id: '', id: '' };
    for (;;) {
      const page = await systemQuery<Candidate & { due_date: string }>(this.runtime.db, {
        sql: `SELECT i.account_id, i.id, i.status, i.due_date::text AS due_date,
                     coalesce(b.time_zone, 'UTC') AS time_zone,
                     coalesce(b.overdue_reminder_days, '{}') AS reminder_days,
                     (SELECT coalesce(max(r.days_after_due), 0) FROM invoice_reminders r
                       WHERE r.account_id = i.account_id AND r.invoice_id = i.id) AS reminded_through
                FROM invoices i LEFT JOIN account_branding b ON b.account_id = i.account_id
               WHERE i.status IN ('open', 'overdue') AND i.amount_due > 0 AND i.due_date <= $1::date
                 AND (i.account_id, i.id) > ($2, $3) ${accountIds ? 'AND i.account_id = ANY ($4::text[])' : ''}
               ORDER BY i.account_id, i.id LIMIT ${PAGE}`,
        parameters: [latestDue, after.account_id, after.id, accountIds ?? null],
      });
      const due = page.flatMap((invoice) => {
        const work = workFor(invoice, now);
        return work ? [{ invoice, ...work }] : [];
      });
      for (const accountId of new Set(due.map(({ invoice }) => invoice.account_id))) {
        const work = due.filter(({ invoice }) => invoice.account_id === accountId);
        try {
          await withTenantTransaction(this.runtime.db, accountId, async (tx) => {
            const ctx = createOperationContext(tx, accountPrincipal(accountId), this.runtime);
            for (const { invoice, overdue, reminder } of work) {
              await this.#dun(
                ctx,
                invoice.id,
                overdue,
                reminder,
                daysBetween(invoice.due_date, localDay(now, invoice.time_zone)),
                report,
              );
            }
          });
        } catch (err) {
          // One account's failure (a constraint, a lock timeout) must not hold up the others; next round retries.
          this.logger.warn({ err, account: accountId }, 'dunning failed for an account; retried next round');
        }
      }
      if (page.length < PAGE) return report;
      after = page[page.length - 1];
    }
  }

  /** One invoice, locked and rechecked (a payment may have landed since the sweep read it). */
  async #dun(
    ctx: OperationContext,
    id: string,
    overdue: boolean,
    reminder: number | null,
    daysLate: number,
    report: DunningReport,
  ): Promise<void> {
    const invoices = ctx.registry.get('invoices');
    let invoice = await loadRowOrThrow(ctx, invoices, id, { lock: true });
    if (!['open', 'overdue'].includes(invoice.status) || invoice.amount_due <= 0) return;
    if (overdue && invoice.status === 'open') {
      invoice = await ctx.runAction('invoices', id, 'mark-overdue');
      report.overdue++;
    }
    if (reminder === null) return;
    const [claimed] = await ctx.tx.query({
      sql: `INSERT INTO invoice_reminders (account_id, invoice_id, days_after_due, created_at)
            SELECT $1, $2, $3, $4
             WHERE NOT EXISTS (SELECT 1 FROM invoice_reminders
                                WHERE account_id = $1 AND invoice_id = $2 AND days_after_due >= $3)
            ON CONFLICT DO NOTHING RETURNING days_after_due`,
      parameters: [ctx.tx.accountId, id, reminder, ctx.now],
    });
    if (!claimed) return; // another node reminded it meanwhile
    const address = await customerAddress(ctx, invoice.customer_id);
    if (!address) {
      report.unreachable++;
      return;
    }
    const deliveryId = await mailDocument(ctx, 'invoices', invoice, await loadBranding(ctx.tx), {
      to: [address],
      subject: `Reminder: invoice ${invoice.id} is ${daysLate} ${daysLate === 1 ? 'day' : 'days'} overdue`,
      opening:
        `This is a reminder that invoice ${invoice.id}, due on ${formatDate(invoice.due_date)}, ` +
        `still has ${formatMoney(invoice.amount_due, invoice.currency)} to pay. ` +
        'If you have paid it already, thank you, and please ignore this mail.',
    });
    ctx.tx.defer({
      sql:
        'UPDATE invoice_reminders SET delivery_id = $4 ' +
        'WHERE account_id = $1 AND invoice_id = $2 AND days_after_due = $3',
      parameters: [ctx.tx.accountId, id, reminder, deliveryId],
    });
    report.reminded++;
  }
}
