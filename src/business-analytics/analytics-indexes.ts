// Indexes the analytics queries need beyond those every filterable field gets, added to the
// resources' own schema (applied once every table exists). Each serves a range or lookup that
// EXPLAIN showed as a filter over many rows on the benchmark's account (bench/README.md).
import type { ResourceDefinition } from '../platform/contract.ts';

/** A resource with `statements` added to its schema. */
export const withSchema =
  (...statements: string[]) =>
  (resource: ResourceDefinition): ResourceDefinition => ({
    ...resource,
    schema: [...(resource.schema ?? []), ...statements],
  });

export const analyticsIndexes: Record<string, (resource: ResourceDefinition) => ResourceDefinition> = {
  jobs: withSchema(
    // A customer's jobs in time, read from the index alone: what the job-facts triggers read on each
    // write (the customer's next job after a completion, their previous completion).
    `DROP INDEX IF EXISTS jobs_customer_created_idx`,
    `CREATE INDEX IF NOT EXISTS jobs_customer_history_idx ON jobs (account_id, customer_id, created_at)
       INCLUDE (id, status, completed_at, deleted_at)`,
    // Jobs cancelled in a period.
    `CREATE INDEX IF NOT EXISTS jobs_cancelled_at_idx ON jobs (account_id, cancelled_at)
       WHERE cancelled_at IS NOT NULL`,
    // Live jobs created, and scheduled, in a period, with what the dashboard counts of them (status;
    // a technician's scheduled hours), read from the index alone: the generated indexes do not know
    // deleted_at, and without the included columns each job of the range cost a heap fetch (the
    // dashboard's jobs by status: 26,000 fetches, 70-370 ms on the benchmark's account).
    `CREATE INDEX IF NOT EXISTS jobs_live_created_cover_idx ON jobs (account_id, created_at)
       INCLUDE (status, scheduled_start) WHERE deleted_at IS NULL`,
    `CREATE INDEX IF NOT EXISTS jobs_live_scheduled_cover_idx ON jobs (account_id, scheduled_start)
       INCLUDE (status, technician_id, scheduled_end) WHERE deleted_at IS NULL`,
    // Their narrower predecessors.
    `DROP INDEX IF EXISTS jobs_live_created_idx`,
    `DROP INDEX IF EXISTS jobs_live_scheduled_idx`,
  ),
  leads: withSchema(
    // The open pipeline by stage, from the index alone (half the leads are open: a scan of them all).
    `CREATE INDEX IF NOT EXISTS leads_open_stage_idx ON leads (account_id, stage)
       WHERE status = 'open' AND deleted_at IS NULL`,
  ),
  tickets: withSchema(
    // Open tickets by priority and how many are past due, from the index alone.
    `CREATE INDEX IF NOT EXISTS tickets_open_priority_idx ON tickets (account_id, priority)
       INCLUDE (due_at) WHERE status = 'open' AND deleted_at IS NULL`,
  ),
  'time-entries': withSchema(
    // Time on site per job, read from the index alone.
    `CREATE INDEX IF NOT EXISTS time_entries_job_minutes_idx ON time_entries (account_id, job_id)
       INCLUDE (duration_minutes) WHERE status = 'closed'`,
  ),
  invoices: withSchema(
    // What is owed now (outstanding, overdue, aging), read from the index alone: the open invoices only.
    `CREATE INDEX IF NOT EXISTS invoices_owed_idx ON invoices (account_id, currency)
       INCLUDE (amount_due, due_date) WHERE status IN ('open', 'overdue') AND amount_due > 0`,
  ),
  payments: withSchema(
    // Lifetime value: every payment up to a day, read from the index alone.
    `CREATE INDEX IF NOT EXISTS payments_lifetime_idx ON payments (account_id, created_at)
       INCLUDE (customer_id, currency, amount, amount_refunded)`,
    `CREATE INDEX IF NOT EXISTS payments_refunded_at_idx ON payments (account_id, refunded_at)
       WHERE refunded_at IS NOT NULL`,
  ),
};
