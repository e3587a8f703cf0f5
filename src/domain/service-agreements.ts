// Service agreements: recurring work for a customer (a boiler serviced every 6 months), sold per
// term. Its visits become jobs `lead_days` ahead, each once (src/domain/agreement-visits.ts): the
// first ones as the agreement is created, the rest by the sweep (src/domain/agreement-sweep.ts),
// which also renews a term that is over, or lets the agreement expire.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import type { OperationContext } from '../platform/contract.ts';
import type { Row } from '../db/database.ts';
import { JOB_PRIORITIES } from './jobs.ts';
import {
  AGREEMENT_VISITS_SCHEMA,
  accountTimeZone,
  cancelUpcomingVisits,
  generateVisits,
  lastGeneratedVisit,
  scheduleOf,
} from './agreement-visits.ts';
import { INTERVAL_UNITS, addDays, dayIn, dueVisits, firstVisitAfter, termEndsOn } from './visit-dates.ts';

export const AGREEMENT_STATUSES = ['active', 'paused', 'expired', 'cancelled'] as const;
/** Visits made in the request that creates an agreement; the sweep makes the rest, a round at a time. */
export const VISITS_ON_CREATE = 12;
/** Where a first visit may fall: terms and visits then stay within four-digit years, however long they run. */
const FIRST_DAY = '2000-01-01';
const LAST_DAY = '2999-12-31';

/** The last day visits of the agreement's current term can fall on: its end, or none. */
export const lastVisitDay = (agreement: Row): string => agreement.ends_on ?? '9999-12-31';

/** The visits due today (in the account's time zone) for a new agreement, and its first visit left for later. */
async function firstRound(ctx: OperationContext, row: Row) {
  const today = dayIn(Date.now(), await accountTimeZone(ctx));
  const until = [addDays(today, row.lead_days), lastVisitDay(row)].sort()[0];
  return dueVisits(scheduleOf(row), row.starts_on, until, VISITS_ON_CREATE);
}

async function assertActiveTechnician(ctx: OperationContext, technicianId: string): Promise<void> {
  const user = await loadReferencedOrThrow(ctx, ctx.registry.get('users'), technicianId, 'technician_id');
  if (user.role !== 'technician' || user.status !== 'active')
    throw validationFailed([{ path: 'technician_id', message: `User '${technicianId}' is not an active technician` }]);
}

const SCHEDULE = ['starts_on', 'interval_unit', 'interval_count'] as const;

export const serviceAgreements = defineResource({
  name: 'service_agreement',
  collection: 'service-agreements',
  idPrefix: 'sagr',
  description:
    'Recurring work for a customer, sold per term: its visits become jobs `lead_days` ahead of their date, ' +
    'each once, listed under `/v1/service-agreements/{id}/jobs`. The visits due when it is created are made at ' +
    'once; later ones (and those due after a schedule change or `resume`) by a sweep every 10 minutes, which ' +
    'also renews a term that is over (`auto_renew`) or lets the agreement expire.',
  searchTitle: ['name'],
  operations: ['list', 'get', 'create', 'update', 'bulk', 'export'],
  limitedBecause:
    'An agreement is the record of the visits it made: it ends with `cancel` (which cancels its visits still to ' +
    'come) or by expiring, and is never deleted.',
  fields: {
    customer_id: field.ref('customers').required().createOnly().filterable().expand('customer'),
    name: field.text({ min: 1, max: 200 }).required().searchable().sortable().example('Boiler service plan'),
    notes: field.text({ max: 10_000 }).searchable(),
    interval_unit: field
      .enum(INTERVAL_UNITS)
      .required()
      .filterable()
      .describe('With `interval_count`, how often it visits: every 6 months is `month` and 6.'),
    interval_count: field.integer({ min: 1, max: 52 }).default(1),
    starts_on: field
      .date()
      .required()
      .filterable()
      .sortable()
      .describe(
        'The first visit; each later one counts from it (monthly from Jan 31: Feb 28, Mar 31). Visits from this ' +
          `date on are made, past ones included (at most ${VISITS_ON_CREATE} on create; the sweep makes the rest). ` +
          `Between ${FIRST_DAY} and ${LAST_DAY}.`,
      ),
    visit_time: field
      .text({ pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: 'Expected a 24-hour local time HH:MM such as 09:00' })
      .default('09:00')
      .example('09:00')
      .describe("When visits start, in the account's time zone (its branding's `time_zone`)."),
    visit_duration_minutes: field.integer({ min: 15, max: 1440 }).default(60),
    term_months: field
      .integer({ min: 1, max: 120 })
      .describe('How long a term lasts (the price is per term); absent: open-ended, it never renews nor expires.'),
    ends_on: field
      .date()
      .readOnly()
      .filterable()
      .sortable()
      .describe('The last day of the current term (no visit after it until it renews); null when open-ended.'),
    auto_renew: field
      .boolean()
      .default(true)
      .filterable()
      .describe('Once `ends_on` has passed: renew for another term (`service_agreement.renewed`), or expire.'),
    renewal_count: field.integer({ min: 0 }).default(0).readOnly(),
    job_title: field.text({ min: 1, max: 200 }).required().example('Annual boiler service'),
    job_description: field.text({ max: 10_000 }),
    job_priority: field.enum(JOB_PRIORITIES).default('normal'),
    technician_id: field
      .ref('users')
      .filterable()
      .expand('technician')
      .describe(
        'An active technician its jobs are assigned to. When they are booked at a visit (or no longer a ' +
          'technician), that visit is still scheduled, unassigned: it waits in the dispatch queue.',
      ),
    price: field.money().default(0).describe("The price per term, in the currency's minor unit."),
    currency: field.currency().default('USD').filterable(),
    lead_days: field
      .integer({ min: 1, max: 365 })
      .default(30)
      .describe('Visits become jobs this many days ahead of their date.'),
    next_visit_on: field.date().readOnly().filterable().sortable().describe('The next visit not made into a job yet.'),
    status: field
      .enum(AGREEMENT_STATUSES)
      .default('active')
      .readOnly()
      .filterable()
      .describe('Changes through pause, resume and cancel; `expired` once a term ends without `auto_renew`.'),
    cancelled_at: field.datetime().readOnly(),
    cancellation_reason: field.text({ max: 1000 }).readOnly(),
  },
  lifecycle: { field: 'status', updatableIn: ['active', 'paused'] },
  schema: AGREEMENT_VISITS_SCHEMA,
  hooks: {
    compute: (row) => ({
      ends_on: row.term_months === null ? null : termEndsOn(row.starts_on, row.term_months * (row.renewal_count + 1)),
    }),
    validate: async ({ row, previous, ctx }) => {
      if (row.starts_on < FIRST_DAY || row.starts_on > LAST_DAY)
        throw validationFailed([{ path: 'starts_on', message: `must be between ${FIRST_DAY} and ${LAST_DAY}` }]);
      if (row.technician_id && row.technician_id !== previous?.technician_id)
        await assertActiveTechnician(ctx, row.technician_id);
    },
    // A new schedule starts after the last visit made, so no visit is ever made twice.
    stamp: async ({ row, previous, ctx }) => {
      if (!previous) return { next_visit_on: (await firstRound(ctx, row)).next };
      if (SCHEDULE.every((name) => row[name] === previous[name])) return {};
      const last = await lastGeneratedVisit(ctx, row.id);
      return { next_visit_on: last ? firstVisitAfter(scheduleOf(row), last) : row.starts_on };
    },
    // Makes the visits stamp counted as made (those before next_visit_on), which the row, its event and the
    // answer already say; stamp cannot make them itself: their jobs refer to the row, inserted after it.
    afterCreate: async ({ row, ctx }) => {
      if (!row.next_visit_on) return;
      const { visits } = dueVisits(scheduleOf(row), row.starts_on, addDays(row.next_visit_on, -1), VISITS_ON_CREATE);
      await generateVisits(ctx, row, visits, await accountTimeZone(ctx));
    },
  },
  actions: {
    pause: {
      summary: 'Stop making visits for now',
      description: 'Jobs already made stay as they are. The term still runs, and renews or expires.',
      from: ['active'],
      to: 'paused',
      event: 'paused',
    },
    resume: {
      summary: 'Make visits again',
      description:
        'Visits whose date passed while paused are skipped; the next ones are made by the next sweep ' +
        '(within 10 minutes), never one made before.',
      from: ['paused'],
      to: 'active',
      event: 'resumed',
      apply: async ({ row, ctx }) => {
        const today = dayIn(Date.now(), await accountTimeZone(ctx));
        if (!row.next_visit_on || row.next_visit_on >= today) return {};
        return { next_visit_on: firstVisitAfter(scheduleOf(row), addDays(today, -1)) };
      },
    },
    renew: {
      summary: 'Extend the agreement by one term',
      description:
        '`ends_on` moves one term later and `renewal_count` grows by one. The sweep does this once a term is ' +
        'over when `auto_renew` is on; staff may renew early. An open-ended agreement has no term (409).',
      from: ['active', 'paused'],
      event: 'renewed',
      apply: ({ row }) => {
        if (row.term_months === null)
          throw new ApiError('conflict', 'The agreement is open-ended (no term_months): there is no term to renew');
        return { renewal_count: row.renewal_count + 1 };
      },
    },
    cancel: {
      summary: 'End the agreement',
      description:
        'Also cancels its visits still to come (`job.cancelled`): jobs unscheduled, or scheduled from now on. ' +
        'Jobs started, done or past stay.',
      from: ['active', 'paused'],
      to: 'cancelled',
      event: 'cancelled',
      input: z.strictObject({ reason: z.string().trim().max(1000).optional() }),
      apply: async ({ row, input, ctx }) => {
        await cancelUpcomingVisits(ctx, row.id);
        return { cancelled_at: ctx.now, cancellation_reason: input.reason ?? null };
      },
    },
    expire: {
      summary: 'The term ended and does not renew',
      internal: true,
      from: ['active', 'paused'],
      to: 'expired',
      event: 'expired',
    },
  },
});
