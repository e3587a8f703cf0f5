// Account export and deletion: an owner takes all the account's data away as one archive
// (`POST /v1/account/export`: tables as NDJSON and the stored files, made in the background by the
// export worker) and may close the account (`POST /v1/account/close`), whose data the account
// deletion job removes after the retention period, provably: every table holding account rows
// is emptied of it, found in the database's catalogue. README: "Exporting and closing an account".
import { defineModule, provide } from '../platform/api/module.ts';
import { ACCOUNT_EXPORT_MIGRATIONS } from './account-export-migrations.ts';
import { AccountDeletion, accountDeletionKey } from './account-deletion.ts';
import { closeOperation } from './close-operation.ts';
import { exportOperations } from './export-operations.ts';
import { ExportWorker, exportWorkerKey, type ExportWorkerOptions } from './export-worker.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** The export worker's poll interval, lease and how long archives are kept (tests drive drains themselves). */
    accountExports?: ExportWorkerOptions;
    /** Days a closed account's data is kept before it is deleted (FIELDLINE_ACCOUNT_RETENTION_DAYS); default 30. */
    accountRetentionDays?: number;
  }
}

export const accountExportModule = defineModule({
  name: 'account-export',
  operations: () => [...exportOperations, closeOperation],
  migrations: ACCOUNT_EXPORT_MIGRATIONS,
  provides: [
    provide(accountDeletionKey, (runtime) => new AccountDeletion(runtime, runtime.logger)),
    provide(exportWorkerKey, (runtime) => new ExportWorker(runtime, runtime.logger, runtime.options.accountExports)),
  ],
});
