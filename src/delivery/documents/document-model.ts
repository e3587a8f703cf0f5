// What a printed document says, gathered in the caller's transaction: the object itself (an
// invoice, estimate, quote or purchase order), who it is from (the account's branding), who it
// is to (the customer, or the supplier of a purchase order) and its lines and totals. The PDF
// renderer (render-pdf.ts) and the mail that carries it (send-document.ts) read only this.
import type { Row } from '../../db/database.ts';
import { selectRowsByIds } from '../../platform/operations/row-statements.ts';
import type { OperationContext } from '../../platform/contract.ts';
import { loadBranding, type AccountBranding } from '../branding.ts';
import { formatDate, formatDay, formatMoney, formatRate } from './money.ts';

/** The collections that print as documents, and what each is called on paper. */
export const DOCUMENT_KINDS = {
  invoices: { title: 'Invoice', party: 'customers', partyLabel: 'Bill to' },
  estimates: { title: 'Estimate', party: 'customers', partyLabel: 'Prepared for' },
  quotes: { title: 'Quote', party: 'customers', partyLabel: 'Prepared for' },
  'purchase-orders': { title: 'Purchase order', party: 'suppliers', partyLabel: 'Supplier' },
} as const;
export type DocumentCollection = keyof typeof DOCUMENT_KINDS;

export interface DocumentLine {
  description: string;
  quantity: number;
  unitPrice: string;
  amount: string;
}

export interface PrintedDocument {
  collection: DocumentCollection;
  title: string;
  /** The object's id: the document number customers quote back. */
  number: string;
  heading: string | null;
  /** Label -> value, in order: issued, due, valid until, status. */
  facts: [string, string][];
  from: { name: string; lines: string[]; logo: Buffer | null };
  to: { label: string; name: string; lines: string[]; email: string | null };
  lines: DocumentLine[];
  /** Label -> amount, in order; the last is the one to pay (or the order's total). */
  totals: [string, string][];
  notes: string | null;
  footer: string | null;
  branding: AccountBranding;
}

const addressLines = (address: Record<string, string> | null): string[] => {
  if (!address) return [];
  const cityLine = [address.postal_code, address.city, address.region].filter(Boolean).join(' ');
  return [address.line1, address.line2, cityLine, address.country].filter((line): line is string => !!line);
};

async function purchaseLines(ctx: OperationContext, row: Row): Promise<DocumentLine[]> {
  const lines = row.lines as { item_id: string; quantity: number; unit_cost: number }[];
  const items = ctx.registry.get('inventory-items');
  const ids = [...new Set(lines.map((line) => line.item_id))];
  const rows = ids.length ? await ctx.tx.query(selectRowsByIds(items, ctx.tx.accountId, ids)) : [];
  const names = new Map(rows.map((item) => [item.id, [item.name, item.sku].filter(Boolean).join(' — ')]));
  return lines.map((line) => ({
    description: names.get(line.item_id) ?? line.item_id,
    quantity: line.quantity,
    unitPrice: formatMoney(line.unit_cost, row.currency),
    amount: formatMoney(line.quantity * line.unit_cost, row.currency),
  }));
}

function pricedLines(row: Row): DocumentLine[] {
  return (row.line_items as { description: string; quantity: number; unit_amount: number }[]).map((line) => ({
    description: line.description,
    quantity: line.quantity,
    unitPrice: formatMoney(line.unit_amount, row.currency),
    amount: formatMoney(line.quantity * line.unit_amount, row.currency),
  }));
}

function totalsOf(collection: DocumentCollection, row: Row): [string, string][] {
  const money = (amount: number) => formatMoney(amount, row.currency);
  if (collection === 'purchase-orders') return [['Total', money(row.total)]];
  const totals: [string, string][] = [
    ['Subtotal', money(row.subtotal)],
    [`Tax (${formatRate(row.tax_rate_bps)})`, money(row.tax)],
    ['Total', money(row.total)],
  ];
  if (collection === 'invoices')
    totals.push(['Amount paid', money(row.amount_paid)], ['Amount due', money(row.amount_due)]);
  return totals;
}

function factsOf(collection: DocumentCollection, row: Row, timeZone: string): [string, string][] {
  const issued = row.sent_at ?? row.submitted_at ?? row.created_at;
  const facts: [string, string][] = [['Date', formatDay(issued, timeZone)]];
  if (row.due_date) facts.push(['Due', formatDate(row.due_date)]);
  if (row.valid_until) facts.push(['Valid until', formatDate(row.valid_until)]);
  if (row.expected_on) facts.push(['Expected', formatDate(row.expected_on)]);
  facts.push(['Status', String(row.status).replace(/_/g, ' ')]);
  return facts;
}

/** The document `row` of `collection` prints as (`branding`: the account's, when the caller has it already). */
export async function documentOf(
  ctx: OperationContext,
  collection: DocumentCollection,
  row: Row,
  branding?: AccountBranding,
): Promise<PrintedDocument> {
  const kind = DOCUMENT_KINDS[collection];
  branding ??= await loadBranding(ctx.tx);
  const partyResource = ctx.registry.get(kind.party);
  const partyId = collection === 'purchase-orders' ? row.supplier_id : row.customer_id;
  const [party] = await ctx.tx.query(selectRowsByIds(partyResource, ctx.tx.accountId, [partyId]));
  const fromLines = [
    ...(branding.address ?? '').split('\n'),
    branding.tax_id ? `Tax id: ${branding.tax_id}` : '',
    [branding.email, branding.phone].filter(Boolean).join(' · '),
  ].filter((line) => line.trim());
  return {
    collection,
    title: kind.title,
    number: row.id,
    heading: row.title ?? null,
    facts: factsOf(collection, row, branding.time_zone),
    from: { name: branding.business_name ?? branding.account_name, lines: fromLines, logo: branding.logo },
    to: {
      label: kind.partyLabel,
      name: party ? [party.name, party.company].filter(Boolean).join(', ') : partyId,
      lines: party ? [...addressLines(party.address), party.email, party.phone].filter(Boolean) : [],
      email: party?.email ?? null,
    },
    lines: collection === 'purchase-orders' ? await purchaseLines(ctx, row) : pricedLines(row),
    totals: totalsOf(collection, row),
    notes: row.memo ?? row.notes ?? null,
    footer: branding.footer,
    branding,
  };
}
