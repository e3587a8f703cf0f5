// GET /v1/platform/audit-log: what operators did (sign-ins, account changes, suspensions), newest
// first, optionally for one account or action. The entries are append-only (migration 0039).
import { z } from 'zod';
import { defineOperation } from '../platform/api/define-operation.ts';
import { systemQuery } from '../db/system-query.ts';
import { isoSql } from './account-admin-shapes.ts';
import { afterCursorSql, pageOf, pageQuery, pageStart } from './platform-page.ts';
import { PLATFORM_TAG } from './platform-tag.ts';

const OperatorAuditEntry = z.object({
  id: z.string(),
  object: z.literal('operator_audit_entry'),
  action: z.string().describe('`account.suspended`, `account.updated`, `operator.signed_in`, ...'),
  operator_id: z.string().nullable(),
  operator_email: z.string().nullable(),
  account_id: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()).describe('What changed: `before` and `after`, and a reason if given.'),
  ip: z.string().nullable(),
  created_at: z.string(),
});

type EntryRow = z.infer<typeof OperatorAuditEntry>;

export const auditLogOperation = defineOperation({
  method: 'get',
  path: '/v1/platform/audit-log',
  operationId: 'listOperatorAuditEntries',
  tag: PLATFORM_TAG,
  scope: 'platform:audit',
  authentication: 'operator',
  bucket: 'read',
  sdk: { excluded: 'platform administration is not part of the tenant SDKs' },
  summary: "Operators' audit log",
  description: 'Every operator action, newest first. Entries cannot be changed or deleted. Cursor pagination.',
  query: z.strictObject({
    ...pageQuery,
    account_id: z.string().max(100).optional(),
    action: z.string().max(100).optional(),
  }),
  response: z.array(OperatorAuditEntry),
  async handle({ runtime, query }) {
    const [at, id] = pageStart(query.cursor);
    const rows = await systemQuery<EntryRow>(runtime.db, {
      sql: `SELECT id, 'operator_audit_entry' AS object, action, operator_id, operator_email, account_id, summary, ip,
                   ${isoSql('created_at')} AS created_at
              FROM platform_audit_entries
             WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR action = $2)
               AND ${afterCursorSql('$3', '$4')}
             ORDER BY created_at DESC, id DESC LIMIT $5`,
      parameters: [query.account_id ?? null, query.action ?? null, at, id, query.limit + 1],
    });
    return { status: 200, body: pageOf(rows, query.limit) };
  },
});
