// recordAudit: the one writer of audit entries. Inside a tenant transaction it queues the insert to
// ride with the transaction's next statement or its COMMIT (no round trip of its own); for system
// transactions (sign-ins, operators, workers) auditStatement gives the insert to add to their list.
import type { SqlStatement } from '../db/inline-parameters.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { newId } from '../platform/ids.ts';
import { insertRow } from '../platform/operations/row-statements.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { auditLog } from './audit-log-resource.ts';
import { actorOf, type Actor } from './actor.ts';
import { requestOrigin } from './request-origin.ts';

/** A change of one field: its value before and after; null where the value is secret. */
export type FieldChange = { from?: unknown; to?: unknown } | null;

export interface AuditEntry {
  /** `{object}.{verb}`: `customer.updated`, `api_key.created`, `request_log.read`, `export.created`. */
  action: string;
  /** Who: a principal (its actor is derived) or an actor named outright (an operator, the system). */
  actor: Principal | Actor;
  resourceType?: string | null;
  resourceId?: string | null;
  /** Field name -> its change; other details of the act (an export's collection, a sign-in's email). */
  changes?: Record<string, FieldChange | string | number | boolean> | null;
  /** Default: the request being served (request-origin.ts), if any. */
  requestId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Default: now. */
  occurredAt?: string;
}

const MAX_USER_AGENT = 500;

const isActor = (actor: Principal | Actor): actor is Actor => 'type' in actor && 'on_behalf_of' in actor;

/** The insert of one audit entry into `accountId`'s trail, for a statement list. */
export function auditStatement(accountId: string, entry: AuditEntry): SqlStatement {
  const actor = isActor(entry.actor) ? entry.actor : actorOf(entry.actor);
  const origin = requestOrigin();
  const at = entry.occurredAt ?? new Date().toISOString();
  return insertRow(auditLog, accountId, {
    id: newId(auditLog.idPrefix),
    action: entry.action,
    actor_type: actor.type,
    actor_id: actor.id,
    on_behalf_of: actor.on_behalf_of,
    resource_type: entry.resourceType ?? null,
    resource_id: entry.resourceId ?? null,
    request_id: entry.requestId ?? origin?.requestId ?? null,
    ip: entry.ip ?? origin?.ip ?? null,
    user_agent: (entry.userAgent ?? origin?.userAgent)?.slice(0, MAX_USER_AGENT) ?? null,
    changes: entry.changes ?? null,
    created_at: at,
    updated_at: at,
  });
}

/** Records `entry` in the transaction's account, committed (or rolled back) with the transaction. */
export function recordAudit(tx: TenantTransaction, entry: AuditEntry): void {
  tx.defer(auditStatement(tx.accountId, entry));
}

/**
 * The audit entry of a change an event reports: its type is the action, its object the resource,
 * and each attribute it changed goes with its value before and after (values the event itself
 * carries: a secret is never in an event).
 */
export function auditOfEvent(
  actor: Actor,
  type: string,
  object: Record<string, unknown>,
  previousAttributes: Record<string, unknown> | undefined,
  requestId: string | undefined,
  occurredAt: string,
): AuditEntry {
  const changes = previousAttributes
    ? Object.fromEntries(Object.entries(previousAttributes).map(([name, from]) => [name, { from, to: object[name] }]))
    : null;
  return {
    action: type,
    actor,
    resourceType: typeof object.object === 'string' ? object.object : type.slice(0, type.lastIndexOf('.')),
    resourceId: typeof object.id === 'string' ? object.id : null,
    changes,
    requestId: requestId ?? null,
    occurredAt,
  };
}

/** The fields a request body set, each with its new value (`to`): for writes that emit no event. */
export function changesOfBody(
  body: Record<string, unknown>,
  secret: readonly string[] = [],
): Record<string, FieldChange> {
  return Object.fromEntries(
    Object.entries(body)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, secret.includes(name) ? null : { to: value }]),
  );
}
