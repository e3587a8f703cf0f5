// The collections an end customer reads in the portal, and what of each: their jobs (with the
// technician's first name and the arrival window), their invoices, estimates and quotes once
// sent, their tickets and visit requests, and the account's published help articles.
import { z } from 'zod';
import type { CustomerView } from './customer-views.ts';

const technicianFirstName: CustomerView['decorate'] = {
  members: {
    technician_first_name: z
      .string()
      .nullable()
      .describe("The assigned technician's first name (only that, for their privacy)."),
  },
  async run(ctx, rows) {
    const ids = [...new Set(rows.map((row) => row.technician_id).filter(Boolean))];
    const names = new Map<string, string>();
    if (ids.length) {
      const found = await ctx.tx.query<{ id: string; name: string }>({
        sql: 'SELECT id, name FROM users WHERE account_id = $1 AND id = ANY($2::text[])',
        parameters: [ctx.tx.accountId, ids],
      });
      for (const user of found) names.set(user.id, user.name.trim().split(/\s+/)[0]);
    }
    return rows.map((row) => ({ technician_first_name: names.get(row.technician_id) ?? null }));
  },
};

/** What a customer sees of a document, once it is sent. */
const documentFields = ['status', 'currency', 'line_items', 'subtotal', 'tax_rate_bps', 'tax', 'total'] as const;
const SENT_PROPOSALS = ['sent', 'accepted', 'declined', 'converted'];

/** Estimates and quotes are the same to their customer: a sent proposal to accept or decline. */
function proposalView(collection: 'estimates' | 'quotes', description: string): CustomerView {
  return {
    collection,
    path: collection,
    fields: [
      'title',
      ...documentFields,
      'job_id',
      'valid_until',
      'notes',
      'sent_at',
      'accepted_at',
      'accepted_by_name',
      'declined_at',
    ],
    visible: { field: 'status', values: SENT_PROPOSALS },
    filters: ['status'],
    description,
  };
}

export const CUSTOMER_VIEWS = {
  jobs: {
    collection: 'jobs',
    path: 'jobs',
    fields: [
      'title',
      'description',
      'status',
      'address',
      'scheduled_start',
      'scheduled_end',
      'started_at',
      'completed_at',
      'cancelled_at',
    ],
    filters: ['status'],
    decorate: technicianFirstName,
    description:
      "The customer's jobs, upcoming and past: status, the arrival window (`scheduled_start` to `scheduled_end`) " +
      "and the technician's first name.",
  },
  invoices: {
    collection: 'invoices',
    path: 'invoices',
    fields: [...documentFields, 'job_id', 'amount_paid', 'amount_due', 'due_date', 'memo', 'sent_at', 'paid_at'],
    visible: { field: 'status', values: ['open', 'overdue', 'paid', 'void'] },
    filters: ['status'],
    description: "The customer's invoices once sent (drafts are the business's own), with what is still due.",
  },
  estimates: proposalView('estimates', 'Estimates sent to the customer, to accept or decline.'),
  quotes: proposalView('quotes', 'Quotes sent to the customer, to accept or decline.'),
  tickets: {
    collection: 'tickets',
    path: 'tickets',
    fields: ['subject', 'description', 'status', 'job_id', 'resolution', 'resolved_at', 'closed_at'],
    filters: ['status'],
    description: "The customer's support requests and where they stand.",
  },
  scheduleRequests: {
    collection: 'schedule-requests',
    path: 'schedule-requests',
    fields: ['job_id', 'preferred_windows', 'note', 'status', 'scheduled_start', 'scheduled_end', 'decline_reason'],
    filters: ['status'],
    description: "The customer's requests for a visit or to move one, and what was decided.",
  },
  articles: {
    collection: 'knowledge-base-articles',
    path: 'articles',
    fields: ['title', 'body', 'category', 'tags', 'published_at'],
    shared: true,
    visible: { field: 'status', values: ['published'] },
    filters: ['category'],
    description: "The business's published help articles.",
  },
} satisfies Record<string, CustomerView>;
