// The audit trail: who changed what, and who read what is sensitive, in every account. Read through
// GET /v1/audit-log (owners and admins), filtered and exported like any list; written only by
// recordAudit (record-audit.ts). Append-only: the tenant role may SELECT and INSERT, and a trigger
// refuses UPDATE, DELETE and TRUNCATE to every role unless the retention purge runs (audit-purge.ts).
import { z } from 'zod';
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { ACTOR_TYPES } from './actor.ts';

/** Set (transaction-local) only by the retention purge: the trigger lets its DELETE through. */
export const PURGE_SETTING = 'fieldline.audit_purge';

export const auditLog = defineResource({
  name: 'audit_log_entry',
  collection: 'audit-log',
  idPrefix: 'aud',
  description:
    'Who did what in the account: every change made through the API (by a member, an API key, an OAuth app ' +
    'on behalf of a member, an automation rule, an operator, a customer or the system), every permission, key, ' +
    'webhook and settings change, sign-ins, and reads of sensitive data (request-log bodies, exports). ' +
    '`created_at` is when it happened. Entries are never changed; they are deleted only after the retention ' +
    'period (FIELDLINE_AUDIT_RETENTION_DAYS).',
  operations: ['list', 'get', 'export'],
  limitedBecause: 'The audit trail is written by the platform as things happen and never edited, so it can be trusted.',
  emitsEvents: false,
  fields: {
    action: field
      .text()
      .readOnly()
      .filterable(['eq', 'in', 'starts_with'])
      .describe('`{object}.{verb}` as the event says it (`customer.updated`), or a read (`request_log.read`).')
      .example('customer.updated'),
    actor_type: field.enum(ACTOR_TYPES).readOnly().filterable().example('api_key'),
    actor_id: field
      .text()
      .readOnly()
      .filterable(['eq', 'in', 'is_null'])
      .describe('The member, API key, OAuth app, automation rule, operator or customer; null for the system.'),
    on_behalf_of: field
      .text()
      .readOnly()
      .filterable(['eq', 'in', 'is_null'])
      .describe('The member an OAuth app acted for.'),
    resource_type: field.text().readOnly().filterable(['eq', 'in']).example('customer'),
    resource_id: field.text().readOnly().filterable(['eq', 'in']),
    request_id: field.text().readOnly().filterable(['eq']).describe('The API request, when there was one.'),
    ip: field.text().readOnly().describe('Where the request came from, as far as it is known (FIELDLINE_TRUST_PROXY).'),
    user_agent: field.text().readOnly(),
    changes: field
      .json(z.record(z.string(), z.unknown()))
      .readOnly()
      .describe(
        'The fields changed, each with its value before (`from`) and after (`to`), or null where the value is ' +
          'secret; for reads and sign-ins, what was read or tried (`collection`, `email`, `via`).',
      ),
  },
  schema: [
    // The generated grant gives every resource table UPDATE and DELETE; this one keeps neither.
    `REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${TENANT_ROLE}`,
    'CREATE INDEX IF NOT EXISTS audit_log_purge_idx ON audit_log (created_at)',
    'DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log',
    `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`,
    'DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log',
    `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`,
  ],
});
