// The audit trail: who did what in each account (audit-log-resource.ts, GET /v1/audit-log), written
// by recordAudit (record-audit.ts) in the transaction of what it records, with the actor of every
// event (actor.ts); kept FIELDLINE_AUDIT_RETENTION_DAYS (audit-purge.ts). README: "Audit trail".
import { defineModule, provide } from '../platform/api/module.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import { auditLog } from './audit-log-resource.ts';
import { AUDIT_MIGRATIONS } from './audit-migrations.ts';
import { AuditPurge } from './audit-purge.ts';
import { auditEntriesAlias } from './audit-entries-alias.ts';

/** Deletes audit entries past their retention, hourly. */
export const auditPurge = serviceKey<AuditPurge>('the audit log retention purge');

export const auditModule = defineModule({
  name: 'audit',
  resources: [auditLog],
  migrations: AUDIT_MIGRATIONS,
  operations: () => auditEntriesAlias,
  provides: [
    provide(auditPurge, (runtime) => new AuditPurge(runtime.db, runtime.logger, runtime.options.auditRetentionDays)),
  ],
});
