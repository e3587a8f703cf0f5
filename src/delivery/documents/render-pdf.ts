// A printed document as PDF (pdfkit), A4, with DejaVu Sans embedded (subset) so that any Latin,
// Greek or Cyrillic text prints and can be read back (copy, search, pdftotext). Layout: sender
// and logo, title and facts, recipient, the lines as a table that continues across pages, the
// totals, notes and the footer.
import { fontFiles, pdfDocumentClass } from './pdf-kit.ts';
import type { PrintedDocument } from './document-model.ts';

const MARGIN = 50;
const GREY = '#555555';
/** Table columns: x and width on an A4 page (595 pt wide). */
const COLUMNS = {
  description: { x: MARGIN, width: 265 },
  quantity: { x: 320, width: 45 },
  unitPrice: { x: 370, width: 85 },
  amount: { x: 460, width: 85 },
};

type Pdf = PDFKit.PDFDocument;

function header(pdf: Pdf, document: PrintedDocument): void {
  const top = MARGIN;
  if (document.from.logo) {
    try {
      pdf.image(document.from.logo, MARGIN, top, { fit: [140, 60] });
    } catch {
      // A logo pdfkit cannot read (a PNG variant it lacks) is left out rather than failing the document.
    }
  }
  pdf.font('bold').fontSize(12).text(document.from.name, 300, top, { width: 245, align: 'right' });
  pdf.font('regular').fontSize(9).fillColor(GREY);
  for (const line of document.from.lines) pdf.text(line, 300, pdf.y, { width: 245, align: 'right' });
  pdf.fillColor('black');
  pdf.y = Math.max(pdf.y, top + 70) + 20;
  pdf.font('bold').fontSize(22).text(document.title, MARGIN, pdf.y);
  pdf.font('regular').fontSize(10).text(document.number, MARGIN, pdf.y, { characterSpacing: 0.2 });
  if (document.heading)
    pdf
      .font('bold')
      .fontSize(11)
      .text(document.heading, MARGIN, pdf.y + 4);
}

function partiesAndFacts(pdf: Pdf, document: PrintedDocument): void {
  const top = pdf.y + 16;
  pdf.font('bold').fontSize(9).fillColor(GREY).text(document.to.label.toUpperCase(), MARGIN, top);
  pdf.fillColor('black').font('bold').fontSize(11).text(document.to.name, MARGIN, pdf.y, { width: 260 });
  pdf.font('regular').fontSize(10);
  for (const line of document.to.lines) pdf.text(line, MARGIN, pdf.y, { width: 260 });
  const leftBottom = pdf.y;
  let y = top;
  for (const [label, value] of document.facts) {
    pdf.font('regular').fontSize(10).fillColor(GREY).text(label, 340, y, { width: 80 });
    pdf.fillColor('black').text(value, 420, y, { width: 125, align: 'right' });
    y = pdf.y + 2;
  }
  pdf.y = Math.max(leftBottom, y) + 24;
}

function tableRow(pdf: Pdf, cells: Record<keyof typeof COLUMNS, string>, bold = false): void {
  pdf.font(bold ? 'bold' : 'regular').fontSize(10);
  const height = Math.max(
    ...Object.entries(COLUMNS).map(([name, column]) =>
      pdf.heightOfString(cells[name as keyof typeof COLUMNS], { width: column.width }),
    ),
  );
  if (pdf.y + height > pdf.page.height - MARGIN - 40) pdf.addPage();
  const y = pdf.y;
  for (const [name, column] of Object.entries(COLUMNS)) {
    const align = name === 'description' ? 'left' : 'right';
    pdf.text(cells[name as keyof typeof COLUMNS], column.x, y, { width: column.width, align });
  }
  pdf.y = y + height + 6;
}

function rule(pdf: Pdf): void {
  pdf
    .moveTo(MARGIN, pdf.y - 2)
    .lineTo(pdf.page.width - MARGIN, pdf.y - 2)
    .strokeColor('#cccccc')
    .lineWidth(0.5)
    .stroke();
  pdf.y += 4;
}

function lines(pdf: Pdf, document: PrintedDocument): void {
  tableRow(pdf, { description: 'Description', quantity: 'Qty', unitPrice: 'Unit price', amount: 'Amount' }, true);
  rule(pdf);
  for (const line of document.lines) tableRow(pdf, { ...line, quantity: String(line.quantity) });
  rule(pdf);
}

function totals(pdf: Pdf, document: PrintedDocument): void {
  document.totals.forEach(([label, amount], index) => {
    const last = index === document.totals.length - 1;
    if (pdf.y > pdf.page.height - MARGIN - 40) pdf.addPage();
    const y = pdf.y;
    pdf.font(last ? 'bold' : 'regular').fontSize(last ? 12 : 10);
    pdf.text(label, 320, y, { width: 130, align: 'right' });
    pdf.text(amount, 460, y, { width: 85, align: 'right' });
    pdf.y += 4;
  });
}

function closing(pdf: Pdf, document: PrintedDocument): void {
  const width = pdf.page.width - 2 * MARGIN;
  if (document.notes) {
    pdf.moveDown(1.5).font('bold').fontSize(9).fillColor(GREY).text('NOTES', MARGIN, pdf.y);
    pdf.font('regular').fontSize(10).fillColor('black').text(document.notes, MARGIN, pdf.y, { width });
  }
  if (document.footer) {
    pdf.moveDown(2).font('regular').fontSize(9).fillColor(GREY).text(document.footer, MARGIN, pdf.y, { width });
  }
}

/** The document as PDF bytes. */
export function renderPdf(document: PrintedDocument): Promise<Buffer> {
  const files = fontFiles();
  const PDFDocument = pdfDocumentClass();
  const pdf = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: `${document.title} ${document.number}`,
      Author: document.from.name,
    },
  });
  pdf.registerFont('regular', files.regular);
  pdf.registerFont('bold', files.bold);
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  header(pdf, document);
  partiesAndFacts(pdf, document);
  lines(pdf, document);
  totals(pdf, document);
  closing(pdf, document);
  pdf.end();
  return done;
}
