import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldlineApi } from '../../main.ts';
import { compileListStatements } from './compile-list.ts';
import { encodeCursor } from './cursor.ts';
import { parseListQuery } from './parse-list-query.ts';

const customers = fieldlineApi().registry.get('customers');
const pageAfter = (sort: string, values: unknown[]) => {
  const params = new URLSearchParams({ sort, cursor: encodeCursor({ sort, values }) });
  return compileListStatements(customers, 'acct_1', parseListQuery(customers, params)).page;
};

test('a page after a cursor on the default sort starts at a row comparison the index can seek to', () => {
  const page = pageAfter('-created_at', ['2026-01-01T00:00:00.000Z', 'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB']);
  assert.match(page.sql, /\("created_at", "id"\) < \(\$\d+, \$\d+\)/);
  assert.ok(page.parameters.includes('cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB'));
  const ascending = pageAfter('updated_at', ['2026-01-01T00:00:00.000Z', 'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB']);
  assert.match(ascending.sql, /\("updated_at", "id"\) > \(\$\d+, \$\d+\)/);
});

test('a sort on a field that may be NULL keeps the comparison that places NULLs last', () => {
  const page = pageAfter('name', ['Ada', 'cus_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB']);
  assert.doesNotMatch(page.sql, /\("name", "id"\)/);
  assert.match(page.sql, /"name" is null/);
});

test('a value list on a field indexed (account_id, field, created_at, id) is read as one range per value', () => {
  const page = (query: string) =>
    compileListStatements(customers, 'acct_1', parseListQuery(customers, new URLSearchParams(query))).page.sql;
  const ranges = (sql: string) => sql.match(/"status" = \$\d+/g)?.length ?? 0;
  assert.equal(ranges(page('status[in]=active,inactive')), 2);
  assert.match(page('status[in]=active,inactive'), /union all/);
  // `ne` and `nin` as the values left, and NULL (IS DISTINCT FROM and NOT IN let it through).
  assert.equal(ranges(page('status[ne]=lead')), 2);
  assert.match(page('status[ne]=lead'), /"status" is null/);
  assert.equal(ranges(page('status[nin]=lead,inactive&sort=created_at')), 1);
  // Another order has no such index: one statement with the filter.
  assert.doesNotMatch(page('status[in]=active,inactive&sort=name'), /union all/);
  assert.doesNotMatch(page('name[in]=Ada,Bob'), /union all/);
});
