// CSV as RFC 4180 says: CRLF line ends, fields quoted when they hold a comma, quote, CR or LF,
// quotes doubled. Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab
// or CR: OWASP's list) gets a leading apostrophe, so opening a report never runs a customer's
// text. Numbers are ours (counts, minor units), written as numbers.
import type { Writable } from 'node:stream';
import { cellOf, headerOf, type Cell, type ReportRow } from './report-cells.ts';
import type { ReportColumn } from './report-type.ts';
import { writeOrWait, type ReportSink } from './report-sink.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: text neutralised, then quoted when it must be. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRecord = (cells: readonly Cell[]): string => `${cells.map(csvField).join(',')}\r\n`;

/** Batches records into chunks of about this many bytes before writing (fewer, larger writes). */
const CHUNK = 64 * 1024;

export function csvSink(out: Writable, columns: readonly ReportColumn[], timeZone: string): ReportSink {
  let pending = csvRecord(columns.map((column) => headerOf(column, timeZone)));
  return {
    async write(row: ReportRow) {
      pending += csvRecord(columns.map((column) => cellOf(column, row)));
      if (pending.length >= CHUNK) {
        const chunk = pending;
        pending = '';
        await writeOrWait(out, chunk);
      }
    },
    async end() {
      if (pending) await writeOrWait(out, pending);
      out.end();
    },
  };
}
