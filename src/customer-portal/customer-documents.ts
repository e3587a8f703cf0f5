// What a customer does with their documents: download one as PDF, and accept (typing their name
// as a signature; the time and their address are recorded) or decline an estimate or quote,
// through the resource's own accept and decline actions, so events and automations follow.
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Operation } from '../platform/api/operation.ts';
import { pascalCase } from '../platform/naming.ts';
import type { Registry } from '../platform/contract.ts';
import { documentOf, type DocumentCollection } from '../delivery/documents/document-model.ts';
import { renderPdf } from '../delivery/documents/render-pdf.ts';
import { asCustomer } from './customer-context.ts';
import { CUSTOMER_TAG, loadCustomerRow, presentToCustomer, viewSchema, type CustomerView } from './customer-views.ts';
import { CUSTOMER_VIEWS } from './customer-collections.ts';

function pdfOperation(registry: Registry, view: CustomerView): Operation {
  const resource = registry.get(view.collection);
  return defineOperation({
    method: 'get',
    path: `/v1/customer/${view.path}/{id}/pdf`,
    operationId: `getCustomer${pascalCase(resource.name)}Pdf`,
    tag: CUSTOMER_TAG,
    scope: null,
    authentication: 'customer',
    bucket: 'read',
    params: { id: { pattern: `^${resource.idPrefix}_` } },
    summary: `Download the customer's ${resource.name} as PDF`,
    description: "As the business prints it. Another customer's is a 404.",
    response: z.string().describe('The PDF.'),
    responseMediaType: 'application/pdf',
    sdk: { excluded: 'a file for the customer portal' },
    async handle(call) {
      const pdf = await asCustomer(call, async (ctx) => {
        const row = await loadCustomerRow(ctx, view, call.params.id);
        return renderPdf(await documentOf(ctx, view.collection as DocumentCollection, row));
      });
      return {
        status: 200,
        stream: new Blob([new Uint8Array(pdf)]).stream(),
        contentType: 'application/pdf',
        headers: {
          'Content-Disposition': `inline; filename="${call.params.id}.pdf"`,
          'Cache-Control': 'private, no-store',
        },
      };
    },
  });
}

const SignedName = z.string().trim().min(2).max(200).describe('The name the customer types as their signature.');

function decisionOperations(registry: Registry, view: CustomerView): Operation[] {
  const resource = registry.get(view.collection);
  const Name = pascalCase(resource.name);
  const decide = (action: 'accept' | 'decline', body: z.ZodType, summary: string, description: string) =>
    defineOperation({
      method: 'post',
      path: `/v1/customer/${view.path}/{id}/${action}`,
      operationId: `${action}Customer${Name}`,
      tag: CUSTOMER_TAG,
      scope: null,
      authentication: 'customer',
      bucket: 'write',
      params: { id: { pattern: `^${resource.idPrefix}_` } },
      summary,
      description,
      body,
      response: viewSchema(view, resource),
      async handle(call) {
        const data = await asCustomer(call, async (ctx) => {
          await loadCustomerRow(ctx, view, call.params.id, { lock: true });
          const row = await ctx.runAction(view.collection, call.params.id, action, call.body);
          return (await presentToCustomer(ctx, view, [row]))[0];
        });
        return { status: 200, body: { data } };
      },
    });
  return [
    decide(
      'accept',
      z.strictObject({ signed_name: SignedName }),
      `Accept the ${resource.name}`,
      `Only a sent ${resource.name}, until its \`valid_until\` day (409 otherwise). The typed name, the time and ` +
        `the address it came from are recorded on the ${resource.name} (\`accepted_by_name\`, \`accepted_at\`, ` +
        '`accepted_ip`).',
    ),
    decide(
      'decline',
      z.strictObject({ reason: z.string().trim().max(1000).optional() }),
      `Decline the ${resource.name}`,
      `Only a sent ${resource.name} (409 otherwise); the reason goes to the business.`,
    ),
  ];
}

export function customerDocumentOperations(registry: Registry): Operation[] {
  const { invoices, estimates, quotes } = CUSTOMER_VIEWS;
  return [
    ...[invoices, estimates, quotes].map((view) => pdfOperation(registry, view)),
    ...[estimates, quotes].flatMap((view) => decisionOperations(registry, view)),
  ];
}
