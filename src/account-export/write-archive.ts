// Writing one account's archive: a ZIP with one NDJSON file per table that holds the account's
// rows (data/{table}.ndjson, the tables found in the catalogue: see account-tables.ts), the
// account's stored files (files/{storage key}: job photos and signatures, mail attachments,
// report files) and manifest.json (what is in it, counts, and which columns were withheld as
// secrets). The rows are read through cursors in one read-only REPEATABLE READ transaction (one
// snapshot across all tables) a batch at a time; everything streams to the file storage.
import { PassThrough } from 'node:stream';
import type { DatabaseConnection, Row } from '../db/database.ts';
import { inlineParameters } from '../db/inline-parameters.ts';
import type { Runtime } from '../platform/contract.ts';
import { fileStorage } from '../storage/storage-module.ts';
import { accountTables, isWithheld, type AccountTable } from './account-tables.ts';
import { accountFilePrefixes, exportStorageKey } from './account-files.ts';
import { StreamingZip } from './streaming-zip.ts';

export interface ClaimedExport {
  account_id: string;
  id: string;
  attempts: number;
}

export interface ArchiveSummary {
  counts: Record<string, number>;
  files: number;
  bytes: number;
}

const BATCH = 500;
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Writes the archive of `exp`'s account to the file storage; answers what it holds. */
export async function writeArchive(runtime: Runtime, exp: ClaimedExport, now: Date): Promise<ArchiveSummary> {
  const out = new PassThrough();
  const storage = runtime.use(fileStorage);
  const stored = storage.putStream(exportStorageKey(exp.account_id, exp.id), out);
  stored.catch(() => undefined); // awaited below
  const zip = new StreamingZip(out);
  try {
    const { counts, withheld } = await runtime.db.withConnection((connection) =>
      writeTables(connection, zip, exp.account_id, now),
    );
    let files = 0;
    for (const prefix of accountFilePrefixes(exp.account_id)) {
      for await (const key of storage.list(prefix)) {
        const stream = await storage.getStream(key);
        if (!stream) continue; // removed meanwhile (a deleted photo)
        await zip.addFile(`files/${key}`, stream, now);
        files++;
      }
    }
    const manifest = {
      object: 'account_export_manifest',
      export_id: exp.id,
      account_id: exp.account_id,
      created_at: now.toISOString(),
      format: 'One NDJSON file per table (data/{table}.ndjson, one row a line); stored files under files/.',
      collections: Object.fromEntries(Object.entries(counts).map(([table, rows]) => [table, { rows }])),
      files,
      withheld_columns: withheld,
    };
    await zip.addFile('manifest.json', [JSON.stringify(manifest, null, 2)], now);
    await zip.end();
    return { counts, files, bytes: await stored };
  } catch (error) {
    out.destroy(error as Error);
    await stored.catch(() => undefined);
    throw error;
  }
}

async function writeTables(
  connection: DatabaseConnection,
  zip: StreamingZip,
  accountId: string,
  now: Date,
): Promise<{ counts: Record<string, number>; withheld: Record<string, string[]> }> {
  const counts: Record<string, number> = {};
  const withheld: Record<string, string[]> = {};
  await connection.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const tables = await accountTables(connection);
    for (const table of tables.sort((a, b) => a.table.localeCompare(b.table))) {
      const left = table.columns.filter((column) => isWithheld(table.table, column)).map((column) => column.name);
      if (left.length) withheld[table.table] = left;
      counts[table.table] = 0;
      await zip.addFile(
        `data/${table.table}.ndjson`,
        rowsOf(connection, table, accountId, (n) => (counts[table.table] += n)),
        now,
      );
    }
    return { counts, withheld };
  } finally {
    await connection.run('ROLLBACK').catch(() => undefined);
  }
}

/** The account's rows of one table as NDJSON lines, a batch at a time, secrets left out. */
async function* rowsOf(
  connection: DatabaseConnection,
  table: AccountTable,
  accountId: string,
  counted: (rows: number) => void,
): AsyncGenerator<string> {
  const kept = table.columns.filter((column) => !isWithheld(table.table, column)).map((c) => quoteIdent(c.name));
  await connection.run(
    inlineParameters({
      sql: `DECLARE export_rows NO SCROLL CURSOR FOR
              SELECT ${kept.join(', ')} FROM ${quoteIdent(table.table)} WHERE ${quoteIdent(table.accountColumn)} = $1`,
      parameters: [accountId],
    }),
  );
  for (;;) {
    const [batch] = await connection.run(`FETCH FORWARD ${BATCH} FROM export_rows`);
    if (batch.length) yield batch.map((row: Row) => `${JSON.stringify(row)}\n`).join('');
    counted(batch.length);
    if (batch.length < BATCH) break;
  }
  await connection.run('CLOSE export_rows');
}
