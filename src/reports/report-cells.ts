// A row's cells as a report prints them, by column kind: counts and money become numbers (pg
// answers bigint sums as text, PGlite as numbers), everything else text; empty stays null.
import { formatMoney } from '../delivery/documents/money.ts';
import type { ReportColumn } from './report-type.ts';

export type Cell = string | number | null;
export type ReportRow = Record<string, unknown>;

export function cellOf(column: ReportColumn, row: ReportRow): Cell {
  const value = row[column.key];
  if (value === null || value === undefined) return null;
  if (column.kind === 'integer' || column.kind === 'money') return Number(value);
  return String(value);
}

/** A cell as text for print: money in its row's currency (`USD 1,234.56`), when the row names one. */
export function printedCell(column: ReportColumn, row: ReportRow): string {
  const cell = cellOf(column, row);
  if (cell === null) return '';
  if (column.kind === 'money' && typeof row.currency === 'string') return formatMoney(Number(cell), row.currency);
  return String(cell);
}

/** The header a column is printed with: money says it is in minor units, times say whose clock. */
export function headerOf(column: ReportColumn, timeZone: string): string {
  if (column.kind === 'money') return `${column.header} (minor units)`;
  if (column.kind === 'datetime') return `${column.header} (${timeZone})`;
  return column.header;
}
