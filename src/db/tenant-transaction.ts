// The only way application code touches tenant data. Every statement runs as the
// non-superuser role `fieldline_tenant` with `app.account_id` set, so row-level security
// policies apply even to a query that forgets its account filter.
//
// Round trips are the cost that matters, so statements are batched: the tenant preamble
// rides with the first query, statements whose results are not needed (events, inserts whose
// row we already hold) are deferred until the next query or the COMMIT. A read is one round
// trip; a create with its event is one; an update or action is two.
import type { Database, DatabaseConnection, Row } from './database.ts';
import { inlineParameters, quoteSqlString, type SqlStatement } from './inline-parameters.ts';
import { statementsToCommitWithWrites } from './commit-with-writes.ts';

export const TENANT_ROLE = 'fieldline_tenant';

// SET LOCAL, not `SELECT set_config(...)`: a SET answers with a bare CommandComplete, where a
// SELECT costs the server a plan and the client a row description, its type parsers and a row.
// In a multi-statement query PostgreSQL runs an implicit transaction block, so LOCAL holds.
function tenantPreamble(accountId: string): string {
  return `SET LOCAL role ${TENANT_ROLE};\nSET LOCAL app.account_id = ${quoteSqlString(accountId)}`;
}
/** The preamble's two SETs answer with two (empty) results ahead of the statements'. */
const PREAMBLE_RESULTS = 2;

const BEGIN: SqlStatement = { sql: 'BEGIN', parameters: [] };
const BEGIN_READ_ONLY: SqlStatement = { sql: 'BEGIN READ ONLY', parameters: [] };
const COMMIT: SqlStatement = { sql: 'COMMIT', parameters: [] };

/**
 * The preamble where statements are prepared (DatabaseConnection.runPrepared): one prepared
 * statement, since SET takes no parameters; and in a batch without BEGIN, PostgreSQL warns at
 * SET LOCAL, where set_config(..., true) holds quietly until the implicit transaction's end.
 */
const preparedTenantContext = (accountId: string): SqlStatement => ({
  sql: `SELECT set_config('role', $1, true), set_config('app.account_id', $2, true)`,
  parameters: [TENANT_ROLE, accountId],
  prepare: true,
});

/**
 * Statements for one account in one round trip, as one implicit transaction (reads, mostly).
 * `readOnly` (reads on a replica): in an explicit READ ONLY transaction, rolled back on failure
 * so the connection goes back to its pool clean.
 */
export async function tenantBatch(
  db: Database,
  accountId: string,
  statements: readonly SqlStatement[],
  { readOnly = false }: { readOnly?: boolean } = {},
): Promise<Row[][]> {
  if (readOnly) {
    const text = ['BEGIN READ ONLY', tenantPreamble(accountId), ...statements.map(inlineParameters), 'COMMIT'];
    return db.withConnection(async (connection) => {
      try {
        return (await connection.run(text.join(';\n'))).slice(1 + PREAMBLE_RESULTS, -1);
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
  return db.withConnection(async (connection) => {
    if (connection.runPrepared && statements.some((statement) => statement.prepare))
      return (await connection.runPrepared([preparedTenantContext(accountId), ...statements])).slice(1);
    const text = [tenantPreamble(accountId), ...statements.map(inlineParameters)].join(';\n');
    return (await connection.run(text)).slice(PREAMBLE_RESULTS);
  });
}

export class TenantTransaction {
  #begun = false;
  #deferred: SqlStatement[] = [];
  #afterCommit: (() => Promise<void>)[] = [];
  #beforeCommit: (() => Promise<void>)[] = [];

  constructor(
    private readonly connection: DatabaseConnection,
    readonly accountId: string,
    /** BEGIN READ ONLY (reads on a replica). */
    private readonly readOnly = false,
  ) {}

  /** Runs `statement` (after anything deferred) and returns its rows. */
  /** The statement's rows; `T` says what its SQL selects. */
  async query<T extends Row = Row>(statement: SqlStatement): Promise<T[]> {
    const results = await this.#send([statement]);
    return results[results.length - 1] as T[];
  }

  /** Queues a statement whose result is not needed; it runs before the next query or at commit. */
  defer(statement: SqlStatement): void {
    // Unprepared ones are inlined now, so a value SQL cannot carry fails in the code that deferred it.
    this.#deferred.push(statement.prepare ? statement : { sql: inlineParameters(statement), parameters: [] });
  }

  /**
   * Work outside the database that must only happen if the transaction commits (removing a
   * deleted photo's file). Best effort: a failure leaves garbage behind, never a lost commit.
   */
  afterCommit(task: () => Promise<void>): void {
    this.#afterCommit.push(task);
  }

  /**
   * Work inside the transaction once the operation is done, before COMMIT (reactions to the
   * events it wrote); it may queue more. A failure rolls everything back.
   */
  beforeCommit(task: () => Promise<void>): void {
    this.#beforeCommit.push(task);
  }

  /** Runs the before-commit work, including what it queues (by withTenantTransaction). */
  async runBeforeCommit(): Promise<void> {
    for (let task = this.#beforeCommit.shift(); task; task = this.#beforeCommit.shift()) await task();
  }

  /** Runs the after-commit work (once, by withTenantTransaction). */
  async runAfterCommit(): Promise<void> {
    const tasks = this.#afterCommit.splice(0);
    for (const task of tasks) await task().catch(() => undefined);
  }

  /** Sends deferred statements now (to learn which one fails). */
  async flush(): Promise<void> {
    if (this.#deferred.length) await this.#send([]);
  }

  async commit(): Promise<void> {
    if (!this.#begun && this.#deferred.length === 0) return;
    await this.#send([COMMIT]);
  }

  async rollback(): Promise<void> {
    if (this.#begun) await this.connection.run('ROLLBACK');
  }

  async #send(statements: SqlStatement[]): Promise<Row[][]> {
    const begin = this.readOnly ? BEGIN_READ_ONLY : BEGIN;
    const begun = this.#begun;
    const batch = [...this.#deferred, ...statements];
    this.#begun = true;
    this.#deferred = [];
    if (this.connection.runPrepared) {
      return this.connection.runPrepared(begun ? batch : [begin, preparedTenantContext(this.accountId), ...batch]);
    }
    const text = batch.map(inlineParameters);
    const head = begun ? [] : [begin.sql, tenantPreamble(this.accountId)];
    return this.connection.run([...head, ...text].join(';\n'));
  }
}

/** Runs `work` in one tenant transaction: committed if it returns, rolled back if it throws. */
export async function withTenantTransaction<T>(
  db: Database,
  accountId: string,
  work: (tx: TenantTransaction) => Promise<T>,
  { readOnly = false }: { readOnly?: boolean } = {},
): Promise<T> {
  let committed: TenantTransaction | undefined;
  const result = await db.withConnection(async (connection) => {
    const tx = new TenantTransaction(connection, accountId, readOnly);
    try {
      const value = await work(tx);
      await tx.runBeforeCommit();
      // Statements the request asked to commit with its write (e.g. its idempotency key's state).
      for (const statement of statementsToCommitWithWrites()) tx.defer(statement);
      await tx.commit();
      committed = tx;
      return value;
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    }
  });
  // With the connection back in the pool: after-commit work may need one (PGlite has only one).
  await committed!.runAfterCommit();
  return result;
}
