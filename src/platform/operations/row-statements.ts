// The SQL each generic operation writes, built once here so every operation agrees on it.
import { sql } from 'kysely';
import { sqlBuilder, compile } from '../../db/sql-builder.ts';
import type { SqlStatement } from '../../db/inline-parameters.ts';
import type { Row } from '../../db/database.ts';
import type { ResourceDefinition } from '../contract.ts';

/** Column values as the driver should send them (JSON columns as JSON text). */
function toColumns(resource: ResourceDefinition, row: Row): Row {
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) {
    out[name] =
      resource.fields[name]?.kind === 'json' && value !== null && value !== undefined ? JSON.stringify(value) : value;
  }
  return out;
}

const selectRowSql = new WeakMap<ResourceDefinition, { plain: string; locked: string }>();

/** The hottest statement there is, so its text is compiled once per resource. */
export function selectRow(
  resource: ResourceDefinition,
  accountId: string,
  id: string,
  options: { lock?: boolean } = {},
): SqlStatement {
  let cached = selectRowSql.get(resource);
  if (!cached) {
    let query = sqlBuilder
      .selectFrom(resource.table)
      .select(resource.selectColumns as string[])
      .where('account_id', '=', '$account')
      .where('id', '=', '$id');
    if (resource.softDelete) query = query.where('deleted_at', 'is', null);
    cached = { plain: compile(query).sql, locked: compile(query.forUpdate()).sql };
    selectRowSql.set(resource, cached);
  }
  return { sql: options.lock ? cached.locked : cached.plain, parameters: [accountId, id], prepare: true };
}

/** Live rows among `ids` (a deleted one is gone from the API, as for selectRow). */
export function selectRowsByIds(resource: ResourceDefinition, accountId: string, ids: string[]): SqlStatement {
  let query = sqlBuilder
    .selectFrom(resource.table)
    .select(resource.selectColumns as string[])
    .where('account_id', '=', accountId)
    .where('id', 'in', ids);
  if (resource.softDelete) query = query.where('deleted_at', 'is', null);
  return compile(query);
}

const insertSql = new WeakMap<ResourceDefinition, { sql: string; columns: string[] }>();

/** A new row: every column, always in the same order, so the statement text is compiled once. */
export function insertRow(resource: ResourceDefinition, accountId: string, row: Row): SqlStatement {
  let cached = insertSql.get(resource);
  if (!cached) {
    const columns = [...resource.insertColumns, 'account_id'];
    const sql = compile(
      sqlBuilder.insertInto(resource.table).values(Object.fromEntries(columns.map((c) => [c, c]))),
    ).sql;
    insertSql.set(resource, (cached = { sql, columns }));
  }
  const values = toColumns(resource, row);
  return {
    sql: cached.sql,
    parameters: cached.columns.map((c) => (c === 'account_id' ? accountId : (values[c] ?? null))),
    prepare: true,
  };
}

export function updateRow(resource: ResourceDefinition, accountId: string, id: string, changes: Row): SqlStatement {
  return compile(
    sqlBuilder
      .updateTable(resource.table)
      .set(toColumns(resource, changes))
      .where('account_id', '=', accountId)
      .where('id', '=', id),
  );
}

export function deleteRow(resource: ResourceDefinition, accountId: string, id: string, now: string): SqlStatement {
  const query = resource.softDelete
    ? sqlBuilder
        .updateTable(resource.table)
        .set({ deleted_at: now })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
    : sqlBuilder.deleteFrom(resource.table).where('account_id', '=', accountId).where('id', '=', id);
  return compile(query);
}

/**
 * Fails the transaction with SQLSTATE FLREF unless `id` is a live `target` row of this account.
 * Sent in the same round trip as the write it guards; RLS limits the lookup to the account.
 */
export function requireReference(
  target: ResourceDefinition,
  accountId: string,
  field: string,
  id: string,
): SqlStatement {
  let exists = sqlBuilder
    .selectFrom(target.table)
    .select(sql`1`.as('one'))
    .where('account_id', '=', accountId)
    .where('id', '=', id);
  if (target.softDelete) exists = exists.where('deleted_at', 'is', null);
  return compile(
    sqlBuilder.selectNoFrom((eb) =>
      sql`fieldline_require_reference(${eb.exists(exists)}, ${field}, ${`No such ${target.name}: '${id}'`})`.as('ok'),
    ),
  );
}
