// Sending a document: the resource's own send action (invoice `send`, estimate and quote `send`,
// purchase order `submit`) still decides the new state; this wraps it so that, in the same
// transaction, the document is printed as it will be once sent and mailed with the PDF attached
// and a link to it, through the mail outbox, with a `deliveries` row. No address: a 422, and
// nothing changes.
import { z } from 'zod';
import type { Row } from '../../db/database.ts';
import { validationFailed } from '../../platform/errors.ts';
import { field, idOfSchema } from '../../platform/resource/fields.ts';
import { loadReferencedOrThrow } from '../../platform/operations/load-row.ts';
import type { ActionSpec, OperationContext } from '../../platform/contract.ts';
import { loadBranding, type AccountBranding } from '../branding.ts';
import { queueMailDelivery } from '../delivery-log.ts';
import { documentLink, documentPageLink } from './document-links.ts';
import { DOCUMENT_KINDS, documentOf, type DocumentCollection, type PrintedDocument } from './document-model.ts';
import { renderPdf } from './render-pdf.ts';

const Email = field.email().spec.schema as z.ZodType<string>;

export const SendDocumentInput = z.strictObject({
  to: z
    .array(Email)
    .min(1)
    .max(10)
    .optional()
    .describe(
      "Who gets it. Default: the contact given, else the customer's billing contact, else the customer's email " +
        "(a purchase order: the supplier's email).",
    ),
  cc: z.array(Email).max(10).optional(),
  contact_id: idOfSchema('contacts').optional().describe("A contact of the document's customer to send it to."),
  message: z.string().trim().max(5000).optional().describe('A note that opens the mail.'),
});
export type SendDocumentInput = z.infer<typeof SendDocumentInput>;

/** The customer's billing contact's email, else the customer's; null when neither has one. */
export async function customerAddress(ctx: OperationContext, customerId: string): Promise<string | null> {
  const [found] = await ctx.tx.query<{ email: string | null }>({
    sql: `SELECT coalesce(
            (SELECT email FROM contacts WHERE account_id = $1 AND customer_id = $2 AND role = 'billing'
                AND email IS NOT NULL AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1),
            (SELECT email FROM customers WHERE account_id = $1 AND id = $2)) AS email`,
    parameters: [ctx.tx.accountId, customerId],
  });
  return found?.email ?? null;
}

/** Where the document goes, or a 422 saying how to give an address. */
async function recipientsOf(
  ctx: OperationContext,
  collection: DocumentCollection,
  row: Row,
  input: SendDocumentInput,
): Promise<string[]> {
  if (input.to) return [...new Set(input.to)];
  if (collection === 'purchase-orders') {
    const supplier = await loadReferencedOrThrow(ctx, ctx.registry.get('suppliers'), row.supplier_id, 'supplier_id');
    if (supplier.email) return [supplier.email];
    throw validationFailed([
      { path: 'to', message: "The supplier has no email address: give `to`, or set the supplier's email" },
    ]);
  }
  if (input.contact_id) {
    const contact = await loadReferencedOrThrow(ctx, ctx.registry.get('contacts'), input.contact_id, 'contact_id');
    if (contact.customer_id !== row.customer_id)
      throw validationFailed([{ path: 'contact_id', message: `is not a contact of customer '${row.customer_id}'` }]);
    if (!contact.email) throw validationFailed([{ path: 'contact_id', message: 'The contact has no email address' }]);
    return [contact.email];
  }
  const address = await customerAddress(ctx, row.customer_id);
  if (address) return [address];
  throw validationFailed([
    {
      path: 'to',
      message:
        'The customer has no email address: give `to` or `contact_id`, ' +
        "or set the customer's or a billing contact's email",
    },
  ]);
}

export interface DocumentMail {
  to: string[];
  cc?: string[];
  /** Default: "Invoice INV-1 from Business". */
  subject?: string;
  /** What opens the mail, before the document's summary. */
  opening?: string;
}

/**
 * Prints the document (as `row` says it is) and queues it in the mail outbox with the PDF
 * attached and its link, with a `deliveries` row, in the caller's transaction; answers the
 * delivery id.
 */
export async function mailDocument(
  ctx: OperationContext,
  collection: DocumentCollection,
  row: Row,
  branding: AccountBranding,
  mail: DocumentMail,
): Promise<string> {
  const document = await documentOf(ctx, collection, row, branding);
  const pdf = await renderPdf(document);
  const link = documentLink(ctx.runtime, ctx.tx.accountId, collection, row.id);
  // Customers' documents also open as a page where they pay (an invoice) or answer (a proposal).
  const page =
    collection === 'purchase-orders'
      ? null
      : `${collection === 'invoices' ? 'Pay it' : 'Accept or decline it'} online: ` +
        documentPageLink(ctx.runtime, ctx.tx.accountId, collection, row.id);
  return queueMailDelivery(
    ctx.tx,
    {
      to: mail.to,
      cc: mail.cc,
      subject: mail.subject ?? `${document.title} ${document.number} from ${document.from.name}`,
      text: mailText(document, link, page, mail.opening),
      attachments: [{ filename: `${row.id}.pdf`, contentType: 'application/pdf', content: pdf }],
    },
    ctx.now,
    { collection, id: row.id },
  ).deliveryId;
}

function mailText(document: PrintedDocument, link: string, page: string | null, message: string | undefined): string {
  const [label, amount] = document.totals[document.totals.length - 1];
  const due = document.facts.find(([name]) => name === 'Due' || name === 'Valid until');
  return [
    message,
    `${document.title} ${document.number} from ${document.from.name}`,
    `${label}: ${amount}${due ? ` (${due[0].toLowerCase()} ${due[1]})` : ''}`,
    `View it online: ${link}\nThe PDF is attached.`,
    page,
    document.footer,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The calendar day `days` after `now` in `timeZone`: an invoice's due date from the payment terms. */
function dayAfter(now: string, days: number, timeZone: string): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(now)); // YYYY-MM-DD
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** `action` (the resource's own send), which now also mails the document. */
export function sendingDocument(collection: DocumentCollection, action: ActionSpec): ActionSpec<SendDocumentInput> {
  const { title } = DOCUMENT_KINDS[collection];
  const party = collection === 'purchase-orders' ? 'supplier' : 'customer';
  return {
    ...action,
    description:
      (action.description ? `${action.description} ` : '') +
      `Mails the ${title.toLowerCase()} to the ${party} as a PDF ` +
      'with a link to it (see `GET .../pdf`), through the mail outbox; the mail is listed in `/v1/deliveries`. ' +
      'Without an address to send to: 422, and nothing changes.',
    input: collection === 'purchase-orders' ? SendDocumentInput.omit({ contact_id: true }) : SendDocumentInput,
    apply: async (args) => {
      const { row, input, ctx } = args;
      const patch: Row = { ...(await action.apply?.(args)) };
      const recipients = await recipientsOf(ctx, collection, row, input);
      const branding = await loadBranding(ctx.tx);
      if (collection === 'invoices' && !row.due_date)
        patch.due_date = dayAfter(ctx.now, branding.payment_terms_days, branding.time_zone);
      await mailDocument(ctx, collection, { ...row, ...patch, status: action.to ?? row.status }, branding, {
        to: recipients,
        cc: input.cc,
        opening: input.message,
      });
      return patch;
    },
  };
}
