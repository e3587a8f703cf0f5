// A scheduled report, once made, is mailed to its schedule's recipients through the mail outbox,
// with the file attached (up to MAX_ATTACHMENT_BYTES; a larger one is named with where to download
// it), and a `deliveries` row; a run that failed is mailed saying so. Queued in the transaction
// that records the report's outcome, so each run mails once.
import type { Row } from '../db/database.ts';
import { queueMailDelivery } from '../delivery/delivery-log.ts';
import type { OperationContext } from '../platform/contract.ts';
import { fileStorage } from '../storage/storage-module.ts';
import { fileOf, reportStorageKey } from './report-formats.ts';
import { reportTypeOrThrow } from './report-types.ts';

/** Mail servers commonly refuse messages over 10-25 MB; base64 adds a third. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export async function mailScheduledReport(ctx: OperationContext, report: Row): Promise<void> {
  const [schedule] = await ctx.tx.query<{ name: string; recipients: string[] }>({
    sql: `SELECT s.name, s.recipients FROM report_schedule_runs r
            JOIN report_schedules s ON s.account_id = r.account_id AND s.id = r.schedule_id
           WHERE r.account_id = $1 AND r.report_id = $2`,
    parameters: [ctx.tx.accountId, report.id],
  });
  if (!schedule) return;
  const type = reportTypeOrThrow(report.type);
  const period = report.params.from ? ` ${report.params.from} to ${report.params.to}` : '';
  const file = fileOf(report.format);
  const filename = `${report.type}${report.params.from ? `-${report.params.from}` : ''}.${file.extension}`;
  const attach = report.status === 'succeeded' && report.bytes <= MAX_ATTACHMENT_BYTES;
  const content = attach ? await ctx.runtime.use(fileStorage).get(reportStorageKey(ctx.tx.accountId, report.id)) : null;
  const text =
    report.status !== 'succeeded'
      ? `The report could not be made: ${report.error}`
      : content
        ? `${type.title}${period}: ${report.row_count} rows, attached.`
        : `${type.title}${period}: ${report.row_count} rows, too large to attach: download it from ` +
          `GET /v1/reports/${report.id}/download until ${report.expires_at}.`;
  queueMailDelivery(
    ctx.tx,
    {
      to: schedule.recipients,
      subject: `${schedule.name}: ${type.title}${period}${report.status === 'succeeded' ? '' : ' (failed)'}`,
      text: `${text}\n\nSent by the report schedule '${schedule.name}'.`,
      attachments: content ? [{ filename, contentType: file.contentType, content }] : undefined,
    },
    ctx.now,
    { collection: 'reports', id: report.id },
  );
}
