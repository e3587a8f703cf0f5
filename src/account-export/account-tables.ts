// Where an account's data lives, read from the database's own catalogue rather than a hand
// list: every table with an `account_id` column, and every column elsewhere that is a foreign key
// to `accounts` (the OAuth tables' `reference_id`). The archive walks these tables and the purge
// empties them, so a table a module adds tomorrow is exported and deleted without a change here.
import type { DatabaseConnection } from '../db/database.ts';
import { inlineParameters } from '../db/inline-parameters.ts';

export interface AccountTable {
  table: string;
  /** The column that names the account: `account_id`, or a foreign key to accounts. */
  accountColumn: string;
  /** Its columns, in table order, with their types. */
  columns: { name: string; type: string }[];
}

/**
 * Tables that keep a row about an account after its data is deleted, and why: the platform's
 * own records, not the account's data. Exported all the same (an account may read them), never purged.
 */
export const KEPT_AFTER_DELETION: Record<string, string> = {
  closed_accounts: 'the tombstone: the account existed, when it was closed and when its data was deleted',
  platform_audit_entries: 'what operators did: the service operator’s append-only record, not the account’s data',
};

/** Columns that hold a secret or a hash of one by their name (`secret_hash`, `signing_secret`, `access_token`). */
const SECRET_WORDS = 'secrets?|tokens?|password|hash|sealed|verifier|p256dh|auth|credentials?';
const SECRET_NAME = new RegExp(`(^|_)(${SECRET_WORDS})(_|$)|^api_key$|^secret_key$`);

const TEXTUAL = new Set(['text', 'character varying', 'json', 'jsonb', 'text[]']);

/** Secrets a column's name does not show: stored answers that once carried a secret shown once. */
const SECRET_COLUMNS: Record<string, readonly string[]> = {
  // A replayed POST answer: creating an API key or a webhook endpoint answers its secret once.
  idempotency_keys: ['response_body', 'response_headers'],
  oauth_refresh_tokens: ['rotation_replay_response'],
};

/** Whether a column is left out of an export: secrets, hashes of them, and derived search data. */
export function isWithheld(table: string, column: { name: string; type: string }): boolean {
  if (column.type === 'bytea' || column.type === 'tsvector') return true;
  if (SECRET_COLUMNS[table]?.includes(column.name)) return true;
  // Names speak only for values that can hold one: `ai_tokens` counts tokens, it holds none.
  return TEXTUAL.has(column.type) && SECRET_NAME.test(column.name);
}

const CATALOGUE_SQL = `
  WITH account_columns AS (
    SELECT c.oid AS relid, a.attname AS column_name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'account_id' AND NOT a.attisdropped
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    UNION
    SELECT k.conrelid, a.attname
      FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      JOIN pg_class c ON c.oid = k.conrelid
     WHERE k.contype = 'f' AND k.confrelid = 'accounts'::regclass AND n.nspname = current_schema()
       AND cardinality(k.conkey) = 1 AND NOT c.relispartition AND k.conrelid <> 'accounts'::regclass
  )
  SELECT c.relname AS table_name, ac.column_name AS account_column,
         json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, NULL))
                  ORDER BY a.attnum) AS columns
    FROM account_columns ac JOIN pg_class c ON c.oid = ac.relid
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   GROUP BY c.relname, ac.column_name
   ORDER BY c.relname, ac.column_name`;

/** Every table that holds rows of an account (one entry per table: `account_id` preferred). */
export async function accountTables(connection: DatabaseConnection): Promise<AccountTable[]> {
  const [rows] = await connection.run(inlineParameters({ sql: CATALOGUE_SQL, parameters: [] }));
  const byTable = new Map<string, AccountTable>();
  for (const row of rows) {
    const columns = typeof row.columns === 'string' ? JSON.parse(row.columns) : row.columns;
    const known = byTable.get(row.table_name);
    if (!known || row.account_column === 'account_id')
      byTable.set(row.table_name, { table: row.table_name, accountColumn: row.account_column, columns });
  }
  return [...byTable.values()];
}

/**
 * The accounts that belong to `accountId` (a live account's sandbox), found through the columns of
 * `accounts` that refer to another account: they go with it. Answers `accountId` and theirs.
 */
export async function accountFamily(connection: DatabaseConnection, accountId: string): Promise<string[]> {
  const [links] = await connection.run(
    `SELECT a.attname AS column_name FROM pg_constraint k
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'f' AND k.conrelid = 'accounts'::regclass AND k.confrelid = 'accounts'::regclass
        AND cardinality(k.conkey) = 1`,
  );
  const family = [accountId];
  for (let from = 0; from < family.length; from++) {
    for (const { column_name } of links) {
      const [rows] = await connection.run(
        inlineParameters({
          sql: `SELECT id FROM accounts WHERE "${column_name}" = $1`,
          parameters: [family[from]],
        }),
      );
      for (const { id } of rows) if (!family.includes(id)) family.push(id);
    }
  }
  return family;
}

/**
 * The tables in an order they can be emptied in: a table before the tables its foreign keys
 * point to (its rows first). Keys that cascade or set null need no order; a cycle is a mistake
 * the purge refuses to guess about.
 */
export async function deletionOrder(connection: DatabaseConnection, tables: AccountTable[]): Promise<AccountTable[]> {
  const [edges] = await connection.run(
    inlineParameters({
      sql: `SELECT DISTINCT k.conrelid::regclass::text AS child, k.confrelid::regclass::text AS parent
              FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
             WHERE k.contype = 'f' AND n.nspname = current_schema() AND k.confdeltype IN ('a', 'r')
               AND k.conrelid <> k.confrelid`,
      parameters: [],
    }),
  );
  const names = new Set(tables.map((t) => t.table));
  const parentsOf = new Map<string, Set<string>>(tables.map((t) => [t.table, new Set()]));
  for (const { child, parent } of edges) if (names.has(child) && names.has(parent)) parentsOf.get(child)!.add(parent);
  // Children first: a table is emptied once no table still to empty points to it.
  const ordered: AccountTable[] = [];
  const left = new Map(tables.map((t) => [t.table, t]));
  while (left.size) {
    const ready = [...left.values()].filter(
      (t) => ![...left.keys()].some((other) => other !== t.table && parentsOf.get(other)!.has(t.table)),
    );
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among: ${[...left.keys()].join(', ')}`);
    for (const t of ready) {
      ordered.push(t);
      left.delete(t.table);
    }
  }
  return ordered;
}
