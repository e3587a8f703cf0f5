// What the delivery module adds to the resources that print as documents: `GET .../{id}/pdf`,
// and their send action (submit for a purchase order) mailing the document.
import { z } from 'zod';
import { BinaryBody } from '../../platform/api/upload.ts';
import { loadRowOrThrow } from '../../platform/operations/load-row.ts';
import { resourceEndpoint } from '../../platform/resource/define-resource.ts';
import type { ResourceDefinition } from '../../platform/contract.ts';
import { DOCUMENT_KINDS, documentOf, type DocumentCollection } from './document-model.ts';
import { renderPdf } from './render-pdf.ts';
import { sendingDocument } from './send-document.ts';

/** The action of each document resource that sends it. */
const SEND_ACTION: Record<DocumentCollection, string> = {
  invoices: 'send',
  estimates: 'send',
  quotes: 'send',
  'purchase-orders': 'submit',
};

const pascal = (text: string) => text.replace(/(^|[\s-])(\w)/g, (_, __, letter: string) => letter.toUpperCase());

function pdfEndpoint(collection: DocumentCollection) {
  const { title } = DOCUMENT_KINDS[collection];
  return resourceEndpoint({
    method: 'get',
    path: '/{id}/pdf',
    operationId: `get${pascal(title)}Pdf`,
    summary: `Download the ${title.toLowerCase()} as PDF`,
    description:
      `The ${title.toLowerCase()} as it prints: your branding (\`/v1/account/branding\`), the ` +
      `${collection === 'purchase-orders' ? 'supplier' : 'customer'}, the lines and totals in the document's currency.`,
    producesMediaType: 'application/pdf',
    answers: z.string().describe('The PDF.'),
    async run({ params, ctx }) {
      const resource = ctx.registry.get(collection);
      const row = await loadRowOrThrow(ctx, resource, params.id);
      const pdf = await renderPdf(await documentOf(ctx, collection, row));
      return new BinaryBody(pdf, 'application/pdf', `${row.id}.pdf`);
    },
  });
}

/** The extension of one document resource. */
const printable =
  (collection: DocumentCollection) =>
  (resource: ResourceDefinition): ResourceDefinition => {
    const action = SEND_ACTION[collection];
    return {
      ...resource,
      endpoints: [...resource.endpoints, pdfEndpoint(collection)],
      actions: { ...resource.actions, [action]: sendingDocument(collection, resource.actions[action]) },
    };
  };

export const printableDocuments = Object.fromEntries(
  (Object.keys(DOCUMENT_KINDS) as DocumentCollection[]).map((collection) => [collection, printable(collection)]),
);
