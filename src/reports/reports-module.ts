// Reports: business reports of the account (jobs completed, revenue by customer, invoice aging,
// technician timesheets, inventory valuation, campaign results) as CSV, XLSX or PDF, made in the
// background by the report worker and downloaded while they are kept; report schedules mail them
// weekly or monthly.
import { defineModule, provide } from '../platform/api/module.ts';
import { reports } from './reports.ts';
import { ReportWorker, reportWorkerKey, type ReportWorkerOptions } from './report-worker.ts';
import { reportSchedules } from './report-schedules.ts';
import { REPORTS_MIGRATIONS } from './reports-migrations.ts';
import { ScheduleSweep, scheduleSweepKey } from './schedule-sweep.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** The report worker's poll interval, lease and how long files are kept (tests drive drains themselves). */
    reports?: ReportWorkerOptions;
    /** How often the report schedule sweep looks for due schedules (one node per round); default 5 minutes. */
    reportScheduleIntervalMs?: number;
  }
}

export const reportsModule = defineModule({
  name: 'reports',
  resources: [reports, reportSchedules],
  migrations: REPORTS_MIGRATIONS,
  // Office staff and dispatchers run the business; technicians and read-only members may read them.
  roles: { dispatcher: 'write', office: 'write', technician: 'none', read_only: 'read' },
  events: [
    {
      type: 'report.succeeded',
      collection: 'reports',
      description: 'A report was made: its file can be downloaded until `expires_at`.',
    },
    { type: 'report.failed', collection: 'reports', description: 'A report could not be made (see its `error`).' },
  ],
  provides: [
    provide(reportWorkerKey, (runtime) => new ReportWorker(runtime, runtime.logger, runtime.options.reports)),
    provide(
      scheduleSweepKey,
      (runtime) => new ScheduleSweep(runtime, runtime.logger, runtime.options.reportScheduleIntervalMs),
    ),
  ],
});
