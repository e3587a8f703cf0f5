// Estimates and quotes are the same kind of document: priced lines offered to a customer, sent,
// then accepted or declined. One definition makes both; each adds what is its own (a quote
// converts into a job and an invoice). Totals follow the invoice's money rules exactly.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field, type FieldBuilder } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { invoiceTotals, pricedLineFields } from './invoice-totals.ts';
import type { ActionSpec, ResourceDefinition } from '../platform/contract.ts';

export const PROPOSAL_STATUSES = ['draft', 'sent', 'accepted', 'declined', 'converted'] as const;

interface ProposalOptions {
  name: string;
  collection: string;
  idPrefix: string;
  description: string;
  /** Fields beyond the common ones. */
  fields?: Record<string, FieldBuilder>;
  /** Actions beyond send, accept, decline and revise. */
  actions?: Record<string, ActionSpec>;
}

/** A proposal past its `valid_until` day can no longer be accepted. */
function assertStillValid(row: Record<string, unknown>, now: string): void {
  const validUntil = row.valid_until;
  if (validUntil && validUntil < now.slice(0, 10)) {
    throw new ApiError(
      'conflict',
      `This offer expired on ${validUntil}; revise it with a new valid_until and send it again`,
    );
  }
}

export function defineProposal(options: ProposalOptions): ResourceDefinition {
  return defineResource({
    name: options.name,
    collection: options.collection,
    idPrefix: options.idPrefix,
    description: options.description,
    // Money: office staff bill; dispatchers read it.
    roles: { dispatcher: 'read' },
    searchTitle: ['title'],
    fields: {
      customer_id: field.ref('customers').required().filterable().expand('customer'),
      job_id: field.ref('jobs').filterable().expand('job').describe('The job this is for, if it exists already.'),
      title: field
        .text({ min: 1, max: 200 })
        .required()
        .searchable()
        .sortable()
        .example('Replace boiler and radiators'),
      status: field
        .enum(PROPOSAL_STATUSES)
        .default('draft')
        .readOnly()
        .filterable()
        .describe('Changes only through actions.'),
      ...pricedLineFields(),
      valid_until: field.date().filterable().sortable().describe('The last day it can be accepted.'),
      notes: field.text({ max: 5000 }).searchable(),
      sent_at: field.datetime().readOnly().filterable(),
      accepted_at: field.datetime().readOnly().filterable(),
      accepted_by_name: field.text({ max: 200 }).readOnly().describe('The name the customer typed to accept.'),
      accepted_ip: field
        .text({ max: 64 })
        .readOnly()
        .describe('The address a customer accepted from, in the customer portal.'),
      accepted_via: field.enum(['staff', 'customer_portal']).readOnly(),
      declined_at: field.datetime().readOnly(),
      decline_reason: field.text({ max: 1000 }).readOnly(),
      ...options.fields,
    },
    lifecycle: { field: 'status', updatableIn: ['draft'], deletableIn: ['draft', 'declined'] },
    hooks: {
      compute: (row) => {
        const { subtotal, tax, total } = invoiceTotals(row.line_items, row.tax_rate_bps, 0);
        return { subtotal, tax, total };
      },
    },
    actions: {
      send: {
        summary: `Send the ${options.name} to the customer`,
        from: ['draft'],
        to: 'sent',
        event: 'sent',
        apply: ({ row, ctx }) => {
          if (row.line_items.length === 0)
            throw validationFailed([
              { path: 'line_items', message: `A ${options.name} needs at least one line item to be sent` },
            ]);
          assertStillValid(row, ctx.now);
          return { sent_at: ctx.now };
        },
      },
      accept: {
        summary: `The customer accepts the ${options.name}`,
        description:
          'Refused (409 `conflict`) after `valid_until`. `signed_name`: the name the customer gave, when accepting ' +
          'for them (by phone, on paper).',
        from: ['sent'],
        to: 'accepted',
        event: 'accepted',
        input: z.strictObject({ signed_name: z.string().trim().min(2).max(200).optional() }),
        apply: ({ row, input, ctx }) => {
          assertStillValid(row, ctx.now);
          const byCustomer = ctx.principal.customerId !== undefined;
          return {
            accepted_at: ctx.now,
            accepted_by_name: input.signed_name ?? null,
            accepted_via: byCustomer ? ('customer_portal' as const) : ('staff' as const),
            accepted_ip: byCustomer ? (ctx.principal.clientIp ?? null) : null,
          };
        },
      },
      decline: {
        summary: `The customer declines the ${options.name}`,
        from: ['sent'],
        to: 'declined',
        event: 'declined',
        input: z.strictObject({ reason: z.string().max(1000).optional() }),
        apply: ({ input, ctx }) => ({ declined_at: ctx.now, decline_reason: input.reason ?? null }),
      },
      revise: {
        summary: 'Back to draft, to change it and send it again',
        from: ['sent', 'declined'],
        to: 'draft',
        event: 'revised',
        apply: () => ({ sent_at: null, declined_at: null, decline_reason: null }),
      },
      ...options.actions,
    },
  });
}
