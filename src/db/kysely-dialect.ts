// A Kysely dialect over our Database, for libraries that speak Kysely (Better Auth): they then
// share our pool, or PGlite's single connection and its turn-taking, instead of opening their
// own. A Kysely connection holds one of ours from acquire to release, so its transactions work.
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection as KyselyConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { Database, DatabaseConnection } from './database.ts';

class HeldConnection implements KyselyConnection {
  constructor(
    private readonly connection: DatabaseConnection,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, affectedRows } = await this.connection.query(query.sql, query.parameters);
    return { rows: rows as R[], numAffectedRows: BigInt(affectedRows) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery(): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('Streaming queries are not supported by this dialect');
  }
}

class DatabaseDriver implements Driver {
  constructor(private readonly db: Database) {}

  async init(): Promise<void> {}

  acquireConnection(): Promise<HeldConnection> {
    return new Promise((resolve, reject) => {
      this.db
        .withConnection(
          (connection) => new Promise<void>((release) => resolve(new HeldConnection(connection, release))),
        )
        .catch(reject);
    });
  }

  async beginTransaction(connection: HeldConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN'));
  }

  async commitTransaction(connection: HeldConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: HeldConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(connection: HeldConnection): Promise<void> {
    connection.release();
  }

  async destroy(): Promise<void> {} // the Database is closed by its owner
}

export function kyselyOver(db: Database): Kysely<any> {
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DatabaseDriver(db),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
  return new Kysely<any>({ dialect });
}
