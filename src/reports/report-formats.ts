// The file formats of reports: what each is called, its media type, and the writer that makes it
// from a type's columns.
import type { Writable } from 'node:stream';
import { csvSink } from './csv-writer.ts';
import { pdfSink, type PdfHeading } from './pdf-writer.ts';
import type { ReportSink } from './report-sink.ts';
import type { ReportType } from './report-type.ts';
import { xlsxSink } from './xlsx-writer.ts';

export const REPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const FILES: Record<ReportFormat, { contentType: string; extension: string }> = {
  csv: { contentType: 'text/csv; charset=utf-8; header=present', extension: 'csv' },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
  pdf: { contentType: 'application/pdf', extension: 'pdf' },
};

export const fileOf = (format: ReportFormat) => FILES[format];

/** Where a report's file is kept: ours, never a client's name. */
export const reportStorageKey = (accountId: string, reportId: string) => `reports/${accountId}/${reportId}`;

export function openSink(
  format: ReportFormat,
  out: Writable,
  type: ReportType,
  timeZone: string,
  heading: PdfHeading,
): ReportSink {
  if (format === 'csv') return csvSink(out, type.columns, timeZone);
  if (format === 'xlsx') return xlsxSink(out, type.columns, timeZone, type.title);
  return pdfSink(out, type.columns, timeZone, heading);
}
