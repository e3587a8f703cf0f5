// A service agreement's visits as jobs, made inside the caller's transaction while it holds the
// agreement's row. Each visit is claimed in `service_agreement_visits` (one row per agreement and
// visit date) before its job is made, in the same transaction: a visit is generated once however
// often, and on however many nodes, generation runs; a rolled-back round claims nothing.
import type { Row } from '../db/database.ts';
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { insertValidated } from '../platform/operations/create.ts';
import { parseCreateInput } from '../platform/operations/write-input.ts';
import type { OperationContext } from '../platform/contract.ts';
import type { VisitSchedule } from './visit-dates.ts';

export const AGREEMENT_VISITS_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS service_agreement_visits (
     account_id text NOT NULL REFERENCES accounts (id),
     agreement_id text NOT NULL,
     visit_on date NOT NULL,
     job_id text NOT NULL,
     unassigned_reason text,
     created_at timestamptz NOT NULL,
     PRIMARY KEY (account_id, agreement_id, visit_on),
     FOREIGN KEY (account_id, agreement_id) REFERENCES service_agreements (account_id, id)
   )`,
  ...rowLevelSecurity('service_agreement_visits'),
  `GRANT SELECT, INSERT, UPDATE ON service_agreement_visits TO ${TENANT_ROLE}`,
  // The sweep walks the agreements that may have work, across accounts, in this order.
  `CREATE INDEX IF NOT EXISTS service_agreements_sweep_idx ON service_agreements (account_id, id)
     WHERE status IN ('active', 'paused')`,
];

export const scheduleOf = (agreement: Row): VisitSchedule => ({
  starts_on: agreement.starts_on,
  interval_unit: agreement.interval_unit,
  interval_count: agreement.interval_count,
});

/** The account's IANA time zone (its branding's), read without the rest of the branding (the logo). */
export async function accountTimeZone(ctx: OperationContext): Promise<string> {
  const [row] = await ctx.tx.query<{ time_zone: string }>({
    sql: `SELECT coalesce((SELECT time_zone FROM account_branding WHERE account_id = $1), 'UTC') AS time_zone`,
    parameters: [ctx.tx.accountId],
  });
  return row.time_zone;
}

/** The date of the latest visit the agreement has generated, if any. */
export async function lastGeneratedVisit(ctx: OperationContext, agreementId: string): Promise<string | null> {
  const [row] = await ctx.tx.query<{ visit_on: string | null }>({
    sql:
      'SELECT max(visit_on)::text AS visit_on FROM service_agreement_visits' +
      ' WHERE account_id = $1 AND agreement_id = $2',
    parameters: [ctx.tx.accountId, agreementId],
  });
  return row?.visit_on ?? null;
}

interface ClaimedVisit {
  visit_on: string;
  job_id: string;
  scheduled_start: string;
}

/** Claims the visits no one has generated yet, with the instant each starts in the account's time zone. */
function claimVisits(ctx: OperationContext, agreement: Row, dates: string[], timeZone: string) {
  return ctx.tx.query<ClaimedVisit>({
    sql: `INSERT INTO service_agreement_visits (account_id, agreement_id, visit_on, job_id, created_at)
          SELECT $1, $2, v.visit_on, v.job_id, $5 FROM unnest($3::date[], $4::text[]) AS v (visit_on, job_id)
          ON CONFLICT DO NOTHING
          RETURNING visit_on::text AS visit_on, job_id, (visit_on + $6::time) AT TIME ZONE $7 AS scheduled_start`,
    parameters: [
      ctx.tx.accountId,
      agreement.id,
      dates,
      dates.map(() => newId(ctx.registry.get('jobs').idPrefix)),
      ctx.now,
      agreement.visit_time,
      timeZone,
    ],
  });
}

/**
 * The visit's job, through the API's own create (the body a client would send, validated alike,
 * `job.created`), linked to the agreement; then assigned and scheduled as one step
 * (`job.assigned`), or only scheduled (`job.scheduled`). A technician who cannot take it (booked
 * then, no longer an active technician) does not stop the visit: it is scheduled unassigned, so
 * it waits in the dispatch queue, and the reason is kept with the visit.
 */
async function makeVisitJob(ctx: OperationContext, agreement: Row, visit: ClaimedVisit): Promise<string | null> {
  const jobs = ctx.registry.get('jobs');
  const body = Object.fromEntries(
    Object.entries({
      title: agreement.job_title,
      description: agreement.job_description,
      priority: agreement.job_priority,
      customer_id: agreement.customer_id,
    }).filter(([, value]) => value !== null),
  );
  await insertValidated(ctx, jobs, {
    ...parseCreateInput(jobs, body),
    id: visit.job_id,
    service_agreement_id: agreement.id,
  });
  const startsAt = Date.parse(visit.scheduled_start);
  const window = {
    scheduled_start: new Date(startsAt).toISOString(),
    scheduled_end: new Date(startsAt + agreement.visit_duration_minutes * 60_000).toISOString(),
  };
  let unassigned: string | null = null;
  let job: Row | undefined;
  if (agreement.technician_id) {
    try {
      job = await ctx.runAction('jobs', visit.job_id, 'assign', { technician_id: agreement.technician_id, ...window });
    } catch (error) {
      // Refusals made before the action wrote anything (the transaction is intact); anything else is a failure.
      if (!(error instanceof ApiError) || !['conflict', 'validation_failed'].includes(error.code)) throw error;
      unassigned = error.detail;
    }
  }
  // Not scheduled yet: no technician, a refused one, or an assignment held for approval.
  if (job?.status !== 'scheduled') await ctx.runAction('jobs', visit.job_id, 'schedule', window);
  return unassigned;
}

/** Makes the jobs of the given visit dates (those not made before); counts what it made. */
export async function generateVisits(
  ctx: OperationContext,
  agreement: Row,
  dates: string[],
  timeZone: string,
): Promise<{ generated: number; unassigned: number }> {
  if (dates.length === 0) return { generated: 0, unassigned: 0 };
  const claimed = await claimVisits(ctx, agreement, dates, timeZone);
  let unassigned = 0;
  for (const visit of claimed) {
    const reason = await makeVisitJob(ctx, agreement, visit);
    if (reason === null) continue;
    unassigned++;
    ctx.tx.defer({
      sql: `UPDATE service_agreement_visits SET unassigned_reason = $4
             WHERE account_id = $1 AND agreement_id = $2 AND visit_on = $3::date`,
      parameters: [ctx.tx.accountId, agreement.id, visit.visit_on, reason],
    });
  }
  return { generated: claimed.length, unassigned };
}

/**
 * Cancels the agreement's visits still to come: its jobs not started (unscheduled, or scheduled
 * from now on), each with `job.cancelled`. Jobs started, done or past are its history and stay.
 */
export async function cancelUpcomingVisits(ctx: OperationContext, agreementId: string): Promise<void> {
  const upcoming = await ctx.tx.query<{ id: string }>({
    sql: `SELECT id FROM ${ctx.registry.get('jobs').table}
           WHERE account_id = $1 AND service_agreement_id = $2 AND deleted_at IS NULL
             AND (status = 'unscheduled' OR (status = 'scheduled' AND scheduled_start >= $3))
           ORDER BY scheduled_start, id`,
    parameters: [ctx.tx.accountId, agreementId, ctx.now],
  });
  for (const { id } of upcoming) {
    await ctx.runAction('jobs', id, 'cancel', { reason: `Service agreement ${agreementId} was cancelled` });
  }
}
