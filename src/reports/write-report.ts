// Making one report's file: its rows read through a cursor, a batch at a time, in one tenant
// transaction (one snapshot, and row-level security holds it to the account), each batch written
// to the format's writer, whose bytes flow to the file storage as they come. Memory holds a batch,
// not the report.
import { PassThrough } from 'node:stream';
import type { Runtime } from '../platform/contract.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { loadBranding } from '../delivery/branding.ts';
import { fileStorage } from '../storage/storage-module.ts';
import { openSink, reportStorageKey, type ReportFormat } from './report-formats.ts';
import { reportTypeOrThrow } from './report-types.ts';

export interface ClaimedReport {
  account_id: string;
  id: string;
  type: string;
  params: Record<string, unknown>;
  format: ReportFormat;
  attempts: number;
}

const BATCH = 1000;

/** The calendar day (YYYY-MM-DD) it is at `now` in `timeZone`. */
const localDay = (now: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(now);

/** Writes the report's file to the storage; answers its rows and bytes. */
export async function writeReport(
  runtime: Runtime,
  report: ClaimedReport,
  now: number,
  pdfMaxRows?: number,
): Promise<{ rows: number; bytes: number }> {
  const type = reportTypeOrThrow(report.type);
  const out = new PassThrough();
  const stored = runtime.use(fileStorage).putStream(reportStorageKey(report.account_id, report.id), out);
  stored.catch(() => undefined); // awaited below; a failure also ends the writer through `out`
  try {
    const rows = await withTenantTransaction(runtime.db, report.account_id, async (tx) => {
      const branding = await loadBranding(tx);
      const timeZone = branding.time_zone;
      const statement = type.query(type.params.parse(report.params), { timeZone, today: localDay(now, timeZone) });
      const sink = openSink(report.format, out, type, timeZone, {
        title: type.title,
        maxRows: pdfMaxRows,
        lines: [
          branding.business_name ?? branding.account_name,
          paramsLine(report.params),
          `Made ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')} UTC; times in ${timeZone}.`,
        ],
      });
      await tx.query({
        sql: `DECLARE report_rows NO SCROLL CURSOR FOR ${statement.sql}`,
        parameters: [report.account_id, ...statement.parameters],
      });
      let count = 0;
      for (;;) {
        const batch = await tx.query({ sql: `FETCH FORWARD ${BATCH} FROM report_rows`, parameters: [] });
        for (const row of batch) await sink.write(row);
        count += batch.length;
        if (batch.length < BATCH) break;
      }
      await tx.query({ sql: 'CLOSE report_rows', parameters: [] });
      await sink.end();
      return count;
    });
    return { rows, bytes: await stored };
  } catch (error) {
    // The storage drops the partial file when its source fails; `out` is listened to here too, so
    // that the writer piped into it (pdfkit unpipes on error) leaves no error unheard.
    out.on('error', () => undefined);
    out.destroy(error as Error);
    await stored.catch(() => undefined);
    throw error;
  }
}

function paramsLine(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  return entries.length ? entries.map(([name, value]) => `${name}: ${String(value)}`).join(', ') : 'All records';
}
