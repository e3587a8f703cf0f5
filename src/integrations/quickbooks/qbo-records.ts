// Our records a push reads: the customers, sent invoices and payments changed after a position
// (updated_at to the microsecond, then id), each with the QuickBooks link it already has. Read in
// a read-only tenant transaction, outside the page's write.
import type { Database, Row } from '../../db/database.ts';
import { withTenantTransaction } from '../../db/tenant-transaction.ts';

export type PushCollection = 'customers' | 'invoices' | 'payments';
export const PUSH_ORDER: readonly PushCollection[] = ['customers', 'invoices', 'payments'];
export const PROVIDER = 'quickbooks';

/** Where a scan of one collection stands: the last row read. */
export interface Position {
  /** updated_at, microseconds, UTC (`2026-12-07T02:10:00.123456Z`). */
  at: string;
  id: string;
}

export interface ChangedRecord {
  row: Row;
  position: Position;
  link?: { externalId: string; metadata: Record<string, any> };
}

/** Drafts are not bills yet: QuickBooks sees an invoice once it is sent. */
const WHERE: Record<PushCollection, string> = {
  customers: '',
  invoices: "AND t.status <> 'draft'",
  payments: '',
};

const select = (collection: PushCollection, condition: string) => `
  SELECT t.*, to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS qbo_position_at,
         l.external_id AS qbo_external_id, l.metadata AS qbo_metadata
    FROM ${collection} t
    LEFT JOIN LATERAL (
      SELECT external_id, metadata FROM integration_links
       WHERE account_id = t.account_id AND provider = '${PROVIDER}' AND collection = '${collection}'
         AND record_id = t.id
       ORDER BY updated_at DESC LIMIT 1) l ON true
   WHERE t.account_id = $1 ${WHERE[collection]} ${condition}`;

function present(row: Row): ChangedRecord {
  const { qbo_position_at, qbo_external_id, qbo_metadata, ...record } = row;
  const metadata = typeof qbo_metadata === 'string' ? JSON.parse(qbo_metadata) : qbo_metadata;
  return {
    row: record,
    position: { at: String(qbo_position_at), id: String(record.id) },
    link: qbo_external_id ? { externalId: String(qbo_external_id), metadata: metadata ?? {} } : undefined,
  };
}

/** Up to `limit` records changed after `after` (all, from the start, when null), oldest first. */
export async function changedRecords(
  db: Database,
  accountId: string,
  collection: PushCollection,
  after: Position | null,
  limit: number,
): Promise<ChangedRecord[]> {
  const rows = await withTenantTransaction(
    db,
    accountId,
    (tx) =>
      tx.query(
        after
          ? {
              sql: `${select(collection, 'AND (t.updated_at, t.id) > ($2::timestamptz, $3)')}
                    ORDER BY t.updated_at, t.id LIMIT $4`,
              parameters: [accountId, after.at, after.id, limit],
            }
          : { sql: `${select(collection, '')} ORDER BY t.updated_at, t.id LIMIT $2`, parameters: [accountId, limit] },
      ),
    { readOnly: true },
  );
  return rows.map(present);
}

/** One record with its link (a dependency pushed on demand: an invoice's customer). */
export async function recordById(
  db: Database,
  accountId: string,
  collection: PushCollection,
  id: string,
): Promise<ChangedRecord | undefined> {
  const [row] = await withTenantTransaction(
    db,
    accountId,
    (tx) => tx.query({ sql: `${select(collection, 'AND t.id = $2')}`, parameters: [accountId, id] }),
    { readOnly: true },
  );
  return row && present(row);
}
