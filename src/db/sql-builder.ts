// Kysely used purely as a SQL compiler: statements are compiled here and executed by our own
// connection layer, which batches them into single round trips (see tenant-transaction.ts).
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Compilable,
} from 'kysely';
import type { SqlStatement } from './inline-parameters.ts';

export const sqlBuilder = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

export function compile(query: Compilable): SqlStatement {
  const { sql, parameters } = query.compile();
  return { sql, parameters };
}
