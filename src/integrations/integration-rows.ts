// Reading and writing `integrations` rows from the server's own work (the connect flow, the sync
// runner, token refresh): always filtered by the account; one row per account and provider, and
// per member for a per-member connector (`memberId`; null is the account's connection).
import type { Database, Row } from '../db/database.ts';
import { systemQuery } from '../db/system-query.ts';
import { newId } from '../platform/ids.ts';
import type { IntegrationState } from './integrations-resource.ts';

const COLUMNS = `id, provider, member_id, status, identity, external_account_id, scopes, connected_at, connected_by_id,
                 last_sync_at, last_sync_status, last_sync_id, last_error, created_at, updated_at`;

/** The account's integration with `provider`, as stored; undefined when it never connected. */
export async function readIntegration(
  db: Database,
  accountId: string,
  provider: string,
  memberId: string | null = null,
): Promise<Row | undefined> {
  const [row] = await systemQuery(db, {
    sql: `SELECT ${COLUMNS} FROM integrations
           WHERE account_id = $1 AND provider = $2 AND member_id IS NOT DISTINCT FROM $3`,
    parameters: [accountId, provider, memberId],
  });
  return row;
}

/** The account's integration with this id; undefined when it has none (another account's is none). */
export async function readIntegrationById(db: Database, accountId: string, id: string): Promise<Row | undefined> {
  const [row] = await systemQuery(db, {
    sql: `SELECT ${COLUMNS} FROM integrations WHERE account_id = $1 AND id = $2`,
    parameters: [accountId, id],
  });
  return row;
}

export interface Connection {
  identity: string;
  externalAccountId: string | null;
  scopes: readonly string[];
  connectedBy: string;
  /** The member whose own connection it is (per-member connectors); null: the account's. */
  memberId?: string | null;
}

/** The integration, connected now (made, or reconnected: the same row and id as before). */
export async function saveConnected(
  db: Database,
  accountId: string,
  provider: string,
  connection: Connection,
): Promise<Row> {
  const memberId = connection.memberId ?? null;
  const before = await readIntegration(db, accountId, provider, memberId);
  // Another mailbox or company than before: its syncs start afresh (the old cursors are another's).
  if (before && before.identity !== connection.identity)
    await systemQuery(db, {
      sql: 'DELETE FROM integration_sync_cursors WHERE account_id = $1 AND provider = $2 AND member_id = $3',
      parameters: [accountId, provider, memberId ?? ''],
    });
  const [row] = await systemQuery(db, {
    sql: `INSERT INTO integrations (id, account_id, provider, member_id, status, identity, external_account_id,
                                    scopes, connected_at, connected_by_id, created_at, updated_at)
          VALUES ($1, $2, $3, $8, 'connected', $4, $5, $6, now(), $7, now(), now())
          ON CONFLICT (account_id, provider, (COALESCE(member_id, ''))) DO UPDATE
            SET status = 'connected', identity = EXCLUDED.identity,
            external_account_id = EXCLUDED.external_account_id, scopes = EXCLUDED.scopes,
            connected_at = EXCLUDED.connected_at, connected_by_id = EXCLUDED.connected_by_id, last_error = NULL,
            updated_at = now()
          RETURNING ${COLUMNS}`,
    parameters: [
      newId('int'),
      accountId,
      provider,
      connection.identity.slice(0, 320),
      connection.externalAccountId?.slice(0, 200) ?? null,
      connection.scopes.map((scope) => scope.slice(0, 64)).slice(0, 50),
      connection.connectedBy,
      memberId,
    ],
  });
  return row;
}

/**
 * Moves the integration to `status` (with why); nothing when it does not exist, or when it is not
 * in one of `from` (a disconnected integration stays so, whatever a late background call finds).
 */
export async function markIntegration(
  db: Database,
  accountId: string,
  provider: string,
  change: { status: IntegrationState; lastError?: string | null; from?: readonly IntegrationState[] },
  memberId: string | null = null,
): Promise<Row | undefined> {
  const [row] = await systemQuery(db, {
    sql: `UPDATE integrations SET status = $3, last_error = $4, updated_at = now()
           WHERE account_id = $1 AND provider = $2 AND ($5::text[] IS NULL OR status = ANY($5::text[]))
             AND member_id IS NOT DISTINCT FROM $6
          RETURNING ${COLUMNS}`,
    parameters: [
      accountId,
      provider,
      change.status,
      change.lastError?.slice(0, 1000) ?? null,
      change.from ?? null,
      memberId,
    ],
  });
  return row;
}

/**
 * A sync run ended: its time and result on the integration, a failure's reason too. The status
 * moves only between `connected` and `error` here (reauth and disconnect are decided elsewhere).
 */
export async function recordSyncResult(
  db: Database,
  accountId: string,
  provider: string,
  result: { runId: string; succeeded: boolean; status?: IntegrationState; error?: string | null },
  memberId: string | null = null,
): Promise<void> {
  await systemQuery(db, {
    sql: `UPDATE integrations SET last_sync_at = now(), last_sync_status = $3, last_sync_id = $4,
                 status = CASE WHEN status IN ('connected', 'error') THEN COALESCE($5, status) ELSE status END,
                 last_error = $6, updated_at = now()
           WHERE account_id = $1 AND provider = $2 AND member_id IS NOT DISTINCT FROM $7`,
    parameters: [
      accountId,
      provider,
      result.succeeded ? 'succeeded' : 'failed',
      result.runId,
      result.status ?? null,
      result.error?.slice(0, 1000) ?? null,
      memberId,
    ],
  });
}
