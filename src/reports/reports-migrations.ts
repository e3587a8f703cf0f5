// Versioned migrations of the reports module's own table (its resources' tables are derived).
// Ids are global: every module's migrations apply in id order (src/platform/api/build-api.ts).
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { Migration } from '../db/migrate.ts';

export const REPORTS_MIGRATIONS: readonly Migration[] = [
  {
    id: '0024_reports',
    statements: [
      // Each run of a report schedule, keyed by its local day: claimed with the report it makes, in
      // the sweep's transaction, so a run happens once however many nodes sweep; the report worker
      // finds whom to mail through it.
      `CREATE TABLE report_schedule_runs (
         account_id text NOT NULL REFERENCES accounts (id),
         schedule_id text NOT NULL,
         run_on date NOT NULL,
         report_id text NOT NULL,
         created_at timestamptz NOT NULL,
         PRIMARY KEY (account_id, schedule_id, run_on)
       )`,
      'CREATE UNIQUE INDEX report_schedule_runs_report_key ON report_schedule_runs (account_id, report_id)',
      ...rowLevelSecurity('report_schedule_runs'),
      `GRANT SELECT, INSERT ON report_schedule_runs TO ${TENANT_ROLE}`,
    ],
  },
];
