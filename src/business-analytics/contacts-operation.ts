// GET /v1/analytics/contacts (the seed's name): the people the business deals with: new contacts
// in the period, how many belong to a customer, and how many came from converted leads.
import { z } from 'zod';
import type { Row } from '../db/database.ts';
import { analyticsOperation } from './analytics-operation.ts';
import { bucketOf, bucketsOf, inPeriod, num } from './analytics-sql.ts';
import type { Window, WindowQuery } from './analytics-window.ts';

const periodSchema = {
  new_contacts: z.int().describe('Contacts created in the period.'),
  with_customer: z.int().describe('Of those, contacts that belong to a customer.'),
  from_leads: z.int().describe('Leads converted in the period (each made or joined a customer and made a contact).'),
  series: z.array(z.object({ bucket: z.string(), new_contacts: z.int() })),
};

const period = {
  sqls: () => [
    `SELECT ${bucketOf('created_at')} AS bucket, count(*) AS n, count(customer_id) AS with_customer FROM contacts
      WHERE account_id = $1 AND deleted_at IS NULL AND ${inPeriod('created_at')} GROUP BY 1`,
    `SELECT count(*) AS n FROM leads WHERE account_id = $1 AND deleted_at IS NULL AND ${inPeriod('converted_at')}`,
  ],
  assemble: ([created, [leads]]: Row[][], window: Window) => ({
    new_contacts: created.reduce((sum, row) => sum + num(row.n), 0),
    with_customer: created.reduce((sum, row) => sum + num(row.with_customer), 0),
    from_leads: num(leads.n),
    series: bucketsOf(window).map((bucket) => ({
      bucket,
      new_contacts: num(created.find((row) => row.bucket === bucket)?.n),
    })),
  }),
};

export const contactsAnalyticsOperation = analyticsOperation<WindowQuery, ReturnType<typeof period.assemble>>({
  path: '/v1/analytics/contacts',
  operationId: 'getContactsAnalytics',
  tag: 'Business analytics',
  object: 'contact_analytics',
  summary: 'Contact analytics',
  description:
    "New contacts in the period (and how many belong to a customer), leads converted, by the account's time zone.",
  period,
  periodSchema,
});
