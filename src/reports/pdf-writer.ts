// A report as a PDF table (pdfkit, as documents are printed: DejaVu Sans embedded, the account's
// name at the top): landscape A4, the column headers again on every page, one line per row
// (longer text is cut with an ellipsis so that every row has the same height). Pages are written
// to the stream as they fill. A PDF is for reading, so it has a row limit; CSV and XLSX have none.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { fontFiles, pdfDocumentClass } from '../delivery/documents/pdf-kit.ts';
import { headerOf, printedCell, type ReportRow } from './report-cells.ts';
import type { ReportColumn } from './report-type.ts';
import type { ReportSink } from './report-sink.ts';

/** About 500 pages: the default row limit of a PDF. */
export const PDF_MAX_ROWS = 20_000;

const MARGIN = 36;
const ROW_HEIGHT = 13;
const FONT_SIZE = 7.5;

export interface PdfHeading {
  title: string;
  /** Who it is for and what it covers, one line each. */
  lines: readonly string[];
  /** Refuse the report past this many rows; default PDF_MAX_ROWS. */
  maxRows?: number;
}

export class ReportTooLargeError extends Error {}

export function pdfSink(
  out: Writable,
  columns: readonly ReportColumn[],
  timeZone: string,
  heading: PdfHeading,
): ReportSink {
  const files = fontFiles();
  const PDFDocument = pdfDocumentClass();
  const pdf = new PDFDocument({ size: 'A4', layout: 'landscape', margin: MARGIN, info: { Title: heading.title } });
  pdf.registerFont('regular', files.regular);
  pdf.registerFont('bold', files.bold);
  pdf.pipe(out);
  const width = pdf.page.width - 2 * MARGIN;
  const share = width / columns.reduce((sum, column) => sum + (column.width ?? 1), 0);
  const xs: number[] = [];
  columns.reduce((x, column) => (xs.push(x), x + share * (column.width ?? 1)), MARGIN);
  const numeric = (column: ReportColumn) => column.kind === 'integer' || column.kind === 'money';

  const line = (cells: string[], bold: boolean) => {
    if (pdf.y + ROW_HEIGHT > pdf.page.height - MARGIN) {
      pdf.addPage();
      headerRow();
    }
    const y = pdf.y;
    pdf.font(bold ? 'bold' : 'regular').fontSize(FONT_SIZE);
    columns.forEach((column, i) => {
      pdf.text(cells[i], xs[i] + 2, y + 3, {
        width: share * (column.width ?? 1) - 4,
        height: ROW_HEIGHT,
        lineBreak: false,
        ellipsis: true,
        align: numeric(column) ? 'right' : 'left',
      });
    });
    pdf.y = y + ROW_HEIGHT;
  };
  const headerRow = () => {
    line(
      columns.map((column) => headerOf(column, timeZone)),
      true,
    );
    pdf
      .moveTo(MARGIN, pdf.y)
      .lineTo(MARGIN + width, pdf.y)
      .strokeColor('#999999')
      .lineWidth(0.5)
      .stroke();
  };

  pdf.font('bold').fontSize(16).text(heading.title, MARGIN, MARGIN);
  pdf.font('regular').fontSize(9).fillColor('#555555');
  for (const text of heading.lines) pdf.text(text, MARGIN, pdf.y);
  pdf.fillColor('black');
  pdf.y += 10;
  headerRow();

  let rows = 0;
  const maxRows = heading.maxRows ?? PDF_MAX_ROWS;
  return {
    async write(row: ReportRow) {
      if (++rows > maxRows)
        throw new ReportTooLargeError(`more than ${maxRows} rows: too many for a PDF (ask for CSV or XLSX)`);
      line(
        columns.map((column) => printedCell(column, row)),
        false,
      );
      if (out.writableNeedDrain) await once(out, 'drain');
    },
    async end() {
      if (rows === 0)
        pdf
          .font('regular')
          .fontSize(9)
          .text('No rows.', MARGIN, pdf.y + 6);
      const finished = once(out, 'finish');
      pdf.end();
      await finished;
    },
  };
}
