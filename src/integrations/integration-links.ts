// External ids: which provider object each of our records came from or went to (a Gmail message
// -> our message, a QuickBooks customer -> our customer). One row per account + provider +
// collection + external id (unique), so a sync that meets an object again finds the record it
// made instead of making another: this is what makes every connector's sync idempotent.
// Read and written inside the tenant transaction of the write they belong to.
import type { SqlStatement } from '../db/inline-parameters.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';

export interface IntegrationLink {
  collection: string;
  recordId: string;
  externalId: string;
  /** What else the connector keeps about the pair (Gmail: the RFC 2822 Message-ID, to reply in thread). */
  metadata: Record<string, unknown>;
}

export interface IntegrationLinks {
  /** Our record for the provider's `externalId` in `collection`, if one was linked. */
  find(collection: string, externalId: string): Promise<IntegrationLink | undefined>;
  /** The provider's object our record was linked to, if any (the latest link). */
  findByRecord(collection: string, recordId: string): Promise<IntegrationLink | undefined>;
  /** Links (or re-links) `externalId` to `recordId`; metadata merged into what was kept. */
  upsert(link: { collection: string; recordId: string; externalId: string; metadata?: Record<string, unknown> }): void;
}

interface LinkRow {
  collection: string;
  record_id: string;
  external_id: string;
  metadata: Record<string, unknown> | string | null;
  [column: string]: unknown;
}

const present = (row: LinkRow | undefined): IntegrationLink | undefined =>
  row && {
    collection: row.collection,
    recordId: row.record_id,
    externalId: row.external_id,
    metadata: (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) ?? {},
  };

const COLUMNS = 'collection, record_id, external_id, metadata';

/** The links of `provider` in the transaction's account. */
export function integrationLinks(tx: TenantTransaction, provider: string): IntegrationLinks {
  return {
    async find(collection, externalId) {
      const [row] = await tx.query<LinkRow>({
        sql: `SELECT ${COLUMNS} FROM integration_links
               WHERE account_id = $1 AND provider = $2 AND collection = $3 AND external_id = $4`,
        parameters: [tx.accountId, provider, collection, externalId],
      });
      return present(row);
    },
    async findByRecord(collection, recordId) {
      const [row] = await tx.query<LinkRow>({
        sql: `SELECT ${COLUMNS} FROM integration_links
               WHERE account_id = $1 AND provider = $2 AND collection = $3 AND record_id = $4
               ORDER BY updated_at DESC LIMIT 1`,
        parameters: [tx.accountId, provider, collection, recordId],
      });
      return present(row);
    },
    upsert(link) {
      tx.defer(linkUpsertStatement(tx.accountId, provider, link));
    },
  };
}

/** The statement that links `externalId` to `recordId` (for the server's own transactions too). */
export function linkUpsertStatement(
  accountId: string,
  provider: string,
  link: { collection: string; recordId: string; externalId: string; metadata?: Record<string, unknown> },
): SqlStatement {
  return {
    sql: `INSERT INTO integration_links (account_id, provider, collection, record_id, external_id, metadata,
                                         created_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, now(), now())
          ON CONFLICT (account_id, provider, collection, external_id) DO UPDATE
             SET record_id = EXCLUDED.record_id, metadata = integration_links.metadata || EXCLUDED.metadata,
                 updated_at = now()`,
    parameters: [
      accountId,
      provider,
      link.collection,
      link.recordId,
      link.externalId.slice(0, 500),
      JSON.stringify(link.metadata ?? {}),
    ],
  };
}
