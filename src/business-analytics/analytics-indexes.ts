// Indexes the analytics queries need beyond those every filterable field gets, added to the
// resources' own schema (applied once every table exists). Each serves a range or lookup that
// EXPLAIN showed as a filter over many rows on the benchmark's account (bench/README.md).
import type { ResourceDefinition } from '../platform/contract.ts';

const withIndexes =
  (...statements: string[]) =>
  (resource: ResourceDefinition): ResourceDefinition => ({
    ...resource,
    schema: [...(resource.schema ?? []), ...statements],
  });

export const analyticsIndexes: Record<string, (resource: ResourceDefinition) => ResourceDefinition> = {
  jobs: withIndexes(
    // First-time fix: "another job of this customer created within N days of the completion".
    `CREATE INDEX IF NOT EXISTS jobs_customer_created_idx ON jobs (account_id, customer_id, created_at)`,
    // Jobs cancelled in a period.
    `CREATE INDEX IF NOT EXISTS jobs_cancelled_at_idx ON jobs (account_id, cancelled_at) WHERE cancelled_at IS NOT NULL`,
  ),
  'time-entries': withIndexes(
    // Time on site per job, read from the index alone.
    `CREATE INDEX IF NOT EXISTS time_entries_job_minutes_idx ON time_entries (account_id, job_id)
       INCLUDE (duration_minutes) WHERE status = 'closed'`,
  ),
  payments: withIndexes(
    `CREATE INDEX IF NOT EXISTS payments_refunded_at_idx ON payments (account_id, refunded_at)
       WHERE refunded_at IS NOT NULL`,
  ),
};
