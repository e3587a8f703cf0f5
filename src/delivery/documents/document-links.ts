// Links a customer follows from a mail to their document, without an account of ours: the path
// carries which document it is and until when, signed (HMAC-SHA256 with a key derived from the
// server's secret key). GET /v1/documents/{token} answers the PDF while the link is valid.
// The customer portal (hosted pages, payment) will take over; the links stay valid until then.
import { z } from 'zod';
import { withTenantTransaction } from '../../db/tenant-transaction.ts';
import { defineOperation } from '../../platform/api/define-operation.ts';
import { ApiError } from '../../platform/errors.ts';
import { accountPrincipal } from '../../platform/operations/principal.ts';
import { createOperationContext } from '../../platform/operations/operation-context.ts';
import { selectRow } from '../../platform/operations/row-statements.ts';
import type { Runtime } from '../../platform/contract.ts';
import { openToken, signToken, TOKEN_PATTERN } from '../../platform/signed-tokens.ts';
import { DOCUMENT_KINDS, documentOf, type DocumentCollection } from './document-model.ts';
import { renderPdf } from './render-pdf.ts';

/** How long a mailed link opens its document. */
export const LINK_LIFETIME_DAYS = 180;
const PURPOSE = 'fieldline document links';

const linkToken = (runtime: Runtime, accountId: string, collection: DocumentCollection, id: string, now: number) =>
  signToken(runtime, PURPOSE, [accountId, collection, id], now + LINK_LIFETIME_DAYS * 86_400_000);

/** The link that opens `collection`'s document `id` of the account (the PDF). */
export function documentLink(
  runtime: Runtime,
  accountId: string,
  collection: DocumentCollection,
  id: string,
  now = Date.now(),
): string {
  return `${runtime.options.publicUrl}/v1/documents/${linkToken(runtime, accountId, collection, id, now)}`;
}

/** The customer page of the same document (the customer portal's `/c/documents/{token}`): pay, accept, decline. */
export function documentPageLink(
  runtime: Runtime,
  accountId: string,
  collection: DocumentCollection,
  id: string,
  now = Date.now(),
): string {
  return `${runtime.options.publicUrl}/c/documents/${linkToken(runtime, accountId, collection, id, now)}`;
}

/** Which document a token opens; null for a forged, altered or expired one (all look the same). */
export function documentOfToken(
  runtime: Runtime,
  token: string,
): { accountId: string; collection: DocumentCollection; id: string } | null {
  const values = openToken(runtime, PURPOSE, token, { expiring: true });
  if (!values) return null;
  const [accountId, collection, id] = values as string[];
  return collection in DOCUMENT_KINDS ? { accountId, collection: collection as DocumentCollection, id } : null;
}

export const documentLinkOperation = defineOperation({
  method: 'get',
  path: '/v1/documents/{token}',
  operationId: 'openDocumentLink',
  tag: 'Documents',
  summary: 'Open a document from the link in its mail',
  description:
    'The link a sent invoice, estimate, quote or purchase order carries in its mail: the PDF, for anyone holding ' +
    `the link, for ${LINK_LIFETIME_DAYS} days. A forged, altered or expired link, or a deleted document, is a 404.`,
  scope: null,
  authentication: 'none',
  bucket: 'read',
  params: { token: { pattern: TOKEN_PATTERN } },
  response: z.string().describe('The document as PDF.'),
  responseMediaType: 'application/pdf',
  sdk: { excluded: 'a link mailed to customers, opened in their browser' },
  async handle({ runtime, params, requestId }) {
    const target = documentOfToken(runtime, params.token);
    if (!target) throw new ApiError('not_found', 'This document link is not valid (or no longer)');
    const pdf = await withTenantTransaction(runtime.db, target.accountId, async (tx) => {
      const resource = runtime.registry.get(target.collection);
      const [row] = await tx.query(selectRow(resource, target.accountId, target.id));
      if (!row) return null;
      const ctx = createOperationContext(tx, accountPrincipal(target.accountId), runtime, requestId);
      return renderPdf(await documentOf(ctx, target.collection, row));
    });
    if (!pdf) throw new ApiError('not_found', 'This document link is not valid (or no longer)');
    return {
      status: 200,
      stream: new Blob([new Uint8Array(pdf)]).stream(),
      contentType: 'application/pdf',
      // Shown in the browser, not saved: the customer followed a link to read it.
      headers: {
        'Content-Disposition': `inline; filename="${target.id}.pdf"`,
        'Cache-Control': 'private, no-store',
        'Referrer-Policy': 'no-referrer',
      },
    };
  },
});
