// GET /v1/audit-entries and /v1/audit-entries/{id}: where sign-ins were read before the audit trail
// held every act. They answer from the trail, as audit log entries: the list holds only sign-ins
// (`sign_in.succeeded`, `sign_in.failed`; its other filters and paging as on GET /v1/audit-log),
// the object is any entry of the trail.
import { listOperation } from '../platform/operations/list.ts';
import { getOperation } from '../platform/operations/get.ts';
import { listParameters, getParameters } from '../platform/openapi/list-parameters.ts';
import { componentRef } from '../platform/openapi/json-schema.ts';
import { dataOf } from '../platform/api/resource-operations.ts';
import type { Operation } from '../platform/api/operation.ts';
import { SIGN_IN_ACTIONS } from '../auth/sign-in-audit.ts';
import { auditLog } from './audit-log-resource.ts';

const ALIAS_NOTE = 'Kept for clients of the sign-in log; new clients read `GET /v1/audit-log`.';
const common = {
  tag: 'AuditLogEntry',
  kind: 'custom' as const,
  scope: `read:${auditLog.collection}`,
  authentication: 'credential' as const,
  bucket: 'read' as const,
  tool: { excluded: 'the audit log tools read the same entries' },
};

export const auditEntriesAlias: Operation[] = [
  {
    ...common,
    operationId: 'listAuditEntries',
    method: 'get',
    path: '/v1/audit-entries',
    summary: 'List sign-ins (the audit log of sign-ins)',
    description: `\`GET /v1/audit-log\` with \`action[in]=${SIGN_IN_ACTIONS.join(',')}\`. ${ALIAS_NOTE}`,
    sdk: { excluded: 'auditLog.list with an action filter reads the same' },
    query: { parse: (raw: URLSearchParams) => raw, parameters: listParameters(auditLog, false) },
    response: { status: 200, description: 'A page of sign-ins.', json: componentRef('AuditLogEntryList') },
    handle: async ({ runtime, principal, query }) => {
      const signIns = new URLSearchParams(query);
      signIns.append('action[in]', SIGN_IN_ACTIONS.join(','));
      return { status: 200, body: await listOperation(runtime, auditLog, principal, signIns) };
    },
  },
  {
    ...common,
    operationId: 'getAuditEntry',
    method: 'get',
    path: '/v1/audit-entries/{id}',
    summary: 'Get an audit log entry (by its former path)',
    description: `The same as \`GET /v1/audit-log/{id}\`. ${ALIAS_NOTE}`,
    sdk: { excluded: 'auditLog.get reads the same' },
    params: { id: { pattern: `^${auditLog.idPrefix}_` } },
    query: { parse: (raw: URLSearchParams) => raw, parameters: getParameters(auditLog) },
    response: { status: 200, description: 'The entry.', json: dataOf(componentRef('AuditLogEntry')) },
    handle: async ({ runtime, principal, params, query }) => ({
      status: 200,
      body: { data: await getOperation(runtime, auditLog, principal, params.id, query) },
    }),
  },
];
