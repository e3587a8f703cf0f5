// XLSX through exceljs's streaming writer: each row is committed (written to the zip) as it
// comes, with inline strings rather than a shared-strings table, so memory does not grow with
// the report. Values are typed cells (text is text, never a formula), money in minor units.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { lazyRequire } from '../platform/lazy-require.ts';
import { cellOf, headerOf, type ReportRow } from './report-cells.ts';
import type { ReportColumn } from './report-type.ts';
import type { ReportSink } from './report-sink.ts';

const excelJs = lazyRequire<typeof import('exceljs')>('exceljs');

export function xlsxSink(out: Writable, columns: readonly ReportColumn[], timeZone: string, title: string): ReportSink {
  const { stream } = excelJs();
  const workbook = new stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Fieldline';
  // Sheet names are at most 31 characters.
  const sheet = workbook.addWorksheet(title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((column) => ({
    header: headerOf(column, timeZone),
    key: column.key,
    width: Math.round(14 * (column.width ?? 1)),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  return {
    async write(row: ReportRow) {
      sheet.addRow(columns.map((column) => cellOf(column, row))).commit();
      if (out.writableNeedDrain) await once(out, 'drain');
    },
    async end() {
      sheet.commit();
      await workbook.commit();
    },
  };
}
