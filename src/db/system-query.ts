// Statements outside any tenant: account creation, credential lookup, health. Kept to the
// few places that need them; tenant data always goes through tenant-transaction.ts.
import type { Database, Row } from './database.ts';
import { inlineParameters, type SqlStatement } from './inline-parameters.ts';

/** The statement's rows; `T` says what its SQL selects (the one place a query's shape is stated). */
export async function systemQuery<T extends Row = Row>(db: Database, statement: SqlStatement): Promise<T[]> {
  const results = await db.withConnection((connection) => connection.run(inlineParameters(statement)));
  return results[results.length - 1] as T[];
}

/** Runs statements in one transaction, in one round trip; answers each statement's rows. */
export async function systemTransaction(db: Database, statements: SqlStatement[]): Promise<Row[][]> {
  const text = ['BEGIN', ...statements.map(inlineParameters), 'COMMIT'].join(';\n');
  return db.withConnection(async (connection) => {
    try {
      return (await connection.run(text)).slice(1, -1);
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
