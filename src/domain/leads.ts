// Leads: people who might become customers. While open a lead moves through pipeline stages;
// `convert` turns it into a customer (or joins an existing one), a primary contact and, when
// asked, a first job, all in one transaction with an event for each.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field, idOfSchema } from '../platform/resource/fields.ts';
import { ADDRESS } from './customers.ts';
import { jobs } from './jobs.ts';

const jobFields = jobs.fields;
const convertInput = z.strictObject({
  customer_id: idOfSchema('customers').optional().describe('Join this existing customer instead of creating one.'),
  create_job: z
    .strictObject({
      title: jobFields.title.schema,
      description: jobFields.description.schema.optional(),
      priority: jobFields.priority.schema.optional(),
    })
    .optional()
    .describe("Also open a first job for the new customer, at the lead's address."),
});

export const leads = defineResource({
  name: 'lead',
  collection: 'leads',
  idPrefix: 'lead',
  description: 'A prospective customer. `convert` makes the customer, contact and optionally a job in one step.',
  softDelete: true,
  fields: {
    first_name: field.text({ min: 1, max: 100 }).required().searchable().sortable().example('Grace'),
    last_name: field.text({ max: 100 }).searchable().sortable().example('Hopper'),
    company: field.text({ max: 200 }).searchable().filterable(),
    email: field.email().filterable().searchable(),
    phone: field.phone().filterable().searchable(),
    address: field.json(ADDRESS),
    source: field
      .enum(['website', 'referral', 'phone', 'advertising', 'partner', 'other'])
      .default('other')
      .filterable(),
    stage: field
      .enum(['new', 'contacted', 'qualified'])
      .default('new')
      .filterable()
      .describe('Where an open lead is in the pipeline; `convert` moves it to `qualified`.'),
    estimated_value: field.money().describe("Expected revenue in the currency's minor unit."),
    currency: field.currency().default('USD'),
    owner_id: field.ref('users').filterable().expand('owner').describe('The salesperson working the lead.'),
    status: field
      .enum(['open', 'converted', 'lost'])
      .default('open')
      .readOnly()
      .filterable()
      .describe('Changes only through convert, lose and reopen.'),
    lost_reason: field.text({ max: 1000 }).readOnly(),
    customer_id: field.ref('customers').readOnly().filterable().expand('customer').describe('Set by convert.'),
    contact_id: field.ref('contacts').readOnly().describe('Set by convert.'),
    job_id: field.ref('jobs').readOnly().describe('Set by convert when it opened a job.'),
    converted_at: field.datetime().readOnly().filterable().sortable(),
  },
  lifecycle: { field: 'status', updatableIn: ['open'] },
  actions: {
    convert: {
      summary: 'Convert the lead into a customer, a contact and optionally a job',
      description:
        'All or nothing: events `customer.created` (unless `customer_id` is given), `contact.created`, `job.created` ' +
        '(with `create_job`) and `lead.converted`.',
      from: ['open'],
      to: 'converted',
      event: 'converted',
      input: convertInput,
      apply: async ({ row: lead, input, ctx }) => {
        // A given customer_id is checked (422 customer_id) by the contact's own reference check.
        const customer = input.customer_id
          ? { id: input.customer_id }
          : await ctx.create('customers', {
              name: (lead.company ?? [lead.first_name, lead.last_name].filter(Boolean).join(' ')).slice(0, 200),
              ...(lead.email ? { email: lead.email } : {}),
              ...(lead.phone ? { phone: lead.phone } : {}),
              ...(lead.address ? { address: lead.address } : {}),
            });
        const contact = await ctx.create('contacts', {
          first_name: lead.first_name,
          ...(lead.last_name ? { last_name: lead.last_name } : {}),
          ...(lead.email ? { email: lead.email } : {}),
          ...(lead.phone ? { phone: lead.phone } : {}),
          customer_id: customer.id,
          role: 'primary',
        });
        const job = input.create_job
          ? await ctx.create('jobs', {
              ...input.create_job,
              customer_id: customer.id,
              ...(lead.address ? { address: lead.address } : {}),
            })
          : null;
        // Converted, the lead went through the whole pipeline: its stage says so, not where it was left.
        return {
          stage: 'qualified',
          customer_id: customer.id,
          contact_id: contact.id,
          job_id: job?.id ?? null,
          converted_at: ctx.now,
        };
      },
    },
    lose: {
      summary: 'Mark the lead lost',
      from: ['open'],
      to: 'lost',
      event: 'lost',
      input: z.strictObject({ reason: z.string().trim().max(1000).optional() }),
      apply: ({ input }) => ({ lost_reason: input.reason ?? null }),
    },
    reopen: {
      summary: 'Reopen a lost lead',
      from: ['lost'],
      to: 'open',
      event: 'reopened',
      apply: () => ({ lost_reason: null }),
    },
  },
});
