// Our customers, invoices and payments as QuickBooks entities, and QuickBooks payments as ours.
// Amounts go through qbo-money (exact decimals); an invoice's tax is our tax, sent as
// TxnTaxDetail.TotalTax with taxable lines marked TAX, so QuickBooks' total is our total.
import { z } from 'zod';
import type { LineItem } from '../../domain/invoice-totals.ts';
import { toQboAmount } from './qbo-money.ts';

type Row = Record<string, any>;

/** QuickBooks' limits on the text fields we fill. */
const LIMITS = { displayName: 500, notes: 2000, memo: 1000, paymentRef: 21, description: 4000 } as const;

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);
const day = (timestamp: unknown) => new Date(String(timestamp)).toISOString().slice(0, 10);

/**
 * A customer's DisplayName: unique in the company among customers, vendors and employees, and
 * without ':' (QuickBooks' sub-customer separator). `disambiguate` adds our id's tail when
 * another entity already has the name.
 */
export function displayName(name: string, id: string, disambiguate = false): string {
  const clean = name.replace(/:/g, '-').replace(/\s+/g, ' ').trim() || id;
  return disambiguate ? clip(`${clean} (${id.slice(-6)})`, LIMITS.displayName) : clip(clean, LIMITS.displayName);
}

export function customerToQbo(row: Row, disambiguate = false): Row {
  const address = row.address as Row | null;
  const body: Row = {
    DisplayName: displayName(row.name, row.id, disambiguate),
    Active: row.status !== 'inactive',
  };
  if (row.company) body.CompanyName = clip(row.company, 100);
  if (row.email) body.PrimaryEmailAddr = { Address: row.email };
  if (row.phone) body.PrimaryPhone = { FreeFormNumber: row.phone };
  if (row.notes) body.Notes = clip(row.notes, LIMITS.notes);
  if (address && Object.keys(address).length) {
    body.BillAddr = Object.fromEntries(
      Object.entries({
        Line1: address.line1,
        Line2: address.line2,
        City: address.city,
        CountrySubDivisionCode: address.region,
        PostalCode: address.postal_code,
        Country: address.country,
      }).filter(([, value]) => value !== undefined),
    );
  }
  return body;
}

export interface InvoiceRefs {
  customerRef: string;
  /** The service item every line is sold as (QuickBooks requires an ItemRef per line). */
  itemRef: string;
}

export function invoiceToQbo(row: Row, refs: InvoiceRefs): Row {
  const currency = String(row.currency);
  const taxable = row.tax_rate_bps > 0;
  const lines = (row.line_items as LineItem[]).map((item) => ({
    DetailType: 'SalesItemLineDetail',
    Amount: toQboAmount(item.quantity * item.unit_amount, currency),
    Description: clip(item.description, LIMITS.description),
    SalesItemLineDetail: {
      ItemRef: { value: refs.itemRef },
      Qty: item.quantity,
      UnitPrice: toQboAmount(item.unit_amount, currency),
      TaxCodeRef: { value: taxable ? 'TAX' : 'NON' },
    },
  }));
  const body: Row = {
    CustomerRef: { value: refs.customerRef },
    CurrencyRef: { value: currency },
    TxnDate: day(row.sent_at ?? row.created_at),
    Line: lines,
    TxnTaxDetail: { TotalTax: toQboAmount(row.tax, currency) },
    PrivateNote: `Fieldline ${row.id}`,
  };
  if (row.due_date) body.DueDate = String(row.due_date).slice(0, 10);
  if (row.memo) body.CustomerMemo = { value: clip(row.memo, LIMITS.memo) };
  return body;
}

export interface PaymentRefs {
  customerRef: string;
  /** The QuickBooks invoice the payment is applied to; absent: an unapplied payment. */
  invoiceRef?: string;
}

export function paymentToQbo(row: Row, refs: PaymentRefs): Row {
  const amount = toQboAmount(row.amount, row.currency);
  const body: Row = {
    CustomerRef: { value: refs.customerRef },
    CurrencyRef: { value: row.currency },
    TotalAmt: amount,
    TxnDate: day(row.created_at),
    PrivateNote: `Fieldline ${row.id}`,
    Line: refs.invoiceRef ? [{ Amount: amount, LinkedTxn: [{ TxnId: refs.invoiceRef, TxnType: 'Invoice' }] }] : [],
  };
  if (row.reference) body.PaymentRefNum = clip(row.reference, LIMITS.paymentRef);
  return body;
}

const QboPayment = z.looseObject({
  Id: z.string().min(1).max(64),
  TotalAmt: z.number().optional(),
  CurrencyRef: z.looseObject({ value: z.string().max(3) }).optional(),
  PaymentRefNum: z.string().max(200).optional(),
  status: z.string().optional(),
  Line: z
    .array(
      z.looseObject({
        Amount: z.number(),
        LinkedTxn: z.array(z.looseObject({ TxnId: z.string().max(64), TxnType: z.string().max(64) })).optional(),
      }),
    )
    .max(1000)
    .optional(),
});

/** One application of a QuickBooks payment to one QuickBooks invoice. */
export interface PaymentApplication {
  /** `<payment Id>:<invoice Id>`: a payment split over invoices is one of our payments per invoice. */
  key: string;
  paymentId: string;
  invoiceRef: string;
  /** QuickBooks' decimals as sent, one per line applied to the invoice (the caller converts them with
   * the invoice's currency and adds the minor units). */
  amounts: number[];
  currency: string | null;
  reference: string | null;
}

/** The invoice applications of a QuickBooks Payment (CDC entity); deleted payments have none. */
export function paymentApplications(entity: unknown): PaymentApplication[] {
  const payment = QboPayment.parse(entity);
  if (payment.status === 'Deleted') return [];
  const byInvoice = new Map<string, number[]>();
  for (const line of payment.Line ?? [])
    for (const link of line.LinkedTxn ?? [])
      if (link.TxnType === 'Invoice') byInvoice.set(link.TxnId, [...(byInvoice.get(link.TxnId) ?? []), line.Amount]);
  return [...byInvoice].map(([invoiceRef, amounts]) => ({
    key: `${payment.Id}:${invoiceRef}`,
    paymentId: payment.Id,
    invoiceRef,
    amounts,
    currency: payment.CurrencyRef?.value ?? null,
    reference: payment.PaymentRefNum ?? null,
  }));
}
