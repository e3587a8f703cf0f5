// Report schedules: a report (type, params, format) made weekly or monthly at a local hour in the
// account's time zone, covering the period just ended, and mailed to chosen addresses with the
// file attached. The schedule sweep (schedule-sweep.ts) makes each run once; the report worker
// mails it when it is made (scheduled-mail.ts).
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { validationFailed, type FieldError } from '../platform/errors.ts';
import { loadBranding } from '../delivery/branding.ts';
import type { OperationContext } from '../platform/contract.ts';
import type { Row } from '../db/database.ts';
import { REPORT_TYPE_NAMES, reportTypeOrThrow } from './report-types.ts';
import { REPORT_FORMATS } from './report-formats.ts';
import { checkedParams } from './reports.ts';
import { nextRun, periodBefore, type Cadence } from './schedule-calendar.ts';

const Email = field.email().spec.schema as z.ZodType<string>;

/** Whether the type covers days (`from`, `to`): a schedule's runs set them. */
export function isRanged(typeName: string): boolean {
  const type = reportTypeOrThrow(typeName);
  return !type.params.safeParse({}).success && type.params.safeParse({ from: '2026-01-01', to: '2026-01-01' }).success;
}

/** A ranged type's `from` and `to` are the schedule's to set; the rest is checked as the type checks it. */
function checkSchedule(row: Row): void {
  const errors: FieldError[] = [];
  if (row.cadence === 'weekly' && row.weekday === null)
    errors.push({ path: 'weekday', message: 'a weekly schedule needs a weekday (1 Monday .. 7 Sunday)' });
  if (row.cadence === 'monthly' && row.day_of_month === null)
    errors.push({ path: 'day_of_month', message: 'a monthly schedule needs a day of the month (1-28)' });
  for (const name of ['from', 'to'])
    if (row.params && name in row.params)
      errors.push({ path: `params.${name}`, message: 'set by the schedule: each run covers the period just ended' });
  if (errors.length) throw validationFailed(errors);
  const params = isRanged(row.type) ? { ...row.params, ...periodBefore(row as Cadence, '2026-01-01') } : row.params;
  checkedParams(row.type, params);
}

/** When it next runs, from now, in the account's time zone. */
async function nextRunAt(ctx: OperationContext, row: Row): Promise<string | null> {
  if (!row.enabled) return null;
  const { time_zone } = await loadBranding(ctx.tx);
  return new Date(nextRun(row as Cadence, Date.parse(ctx.now), time_zone).at).toISOString();
}

export const reportSchedules = defineResource({
  name: 'report_schedule',
  collection: 'report-schedules',
  idPrefix: 'rsch',
  description:
    'A report mailed on a schedule: weekly on a weekday or monthly on a day, at a local hour in the account’s ' +
    'time zone, covering the period just ended (the 7 days before, or the month before), with the file attached.',
  fields: {
    name: field.text({ min: 1, max: 200 }).required().sortable().searchable().example('Jobs done last week'),
    type: field.enum(REPORT_TYPE_NAMES).required().filterable().describe('A report type (see `reports`).'),
    params: field
      .json(z.record(z.string(), z.unknown()))
      .default({})
      .describe('The type’s params, without `from` and `to`: each run covers the period just ended.'),
    format: field.enum(REPORT_FORMATS).required(),
    cadence: field.enum(['weekly', 'monthly']).required().filterable(),
    weekday: field
      .integer({ min: 1, max: 7 })
      .example(1)
      .describe('Weekly: the ISO weekday it runs on, 1 Monday .. 7 Sunday.'),
    day_of_month: field.integer({ min: 1, max: 28 }).describe('Monthly: the day it runs on.'),
    hour: field.integer({ min: 0, max: 23 }).default(7).describe('The local hour it runs at (account time zone).'),
    recipients: field.json(z.array(Email).min(1).max(20)).required().describe('Who it is mailed to.'),
    enabled: field.boolean().default(true).filterable(),
    next_run_at: field.datetime().readOnly().sortable().describe('When it runs next (null while disabled).'),
    last_run_on: field.date().readOnly().describe('The local day it last ran.'),
    last_report_id: field.ref('reports').readOnly().describe('The report its last run made.'),
  },
  hooks: {
    validate: async ({ row }) => checkSchedule(row),
    stamp: async ({ row, previous, ctx }) => {
      const timing = ['enabled', 'cadence', 'weekday', 'day_of_month', 'hour'];
      if (previous && timing.every((name) => (row as Row)[name] === (previous as Row)[name])) return {};
      return { next_run_at: await nextRunAt(ctx, row) };
    },
  },
});
