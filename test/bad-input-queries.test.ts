// Bad list query parameters: unknown filters and operators, wrongly typed values, paging,
// cursors, sort, expand, fields and search. Each is 400 bad_request naming the parameter and
// changes nothing (see RefusalChecks.rejects).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { queryableFields } from '../src/platform/query/queryable-fields.ts';
import { refusalChecksForThisFile, UNUSED_ULID, assertNames } from './support/problem-assertions.ts';

const suite = refusalChecksForThisFile();

describe('list query parameters', () => {
  const badQuery = async (collection: string, query: string, parameter: string) => {
    const body = await suite.api.rejects(
      'GET',
      `/v1/${collection}?${query}`,
      {},
      { status: 400, code: 'bad_request', target: collection },
    );
    assertNames(body, parameter);
    return body;
  };

  test('a filter on an undeclared field is 400 naming it', async () => {
    await badQuery('customers', 'favourite_colour=teal', 'favourite_colour');
    await badQuery('customers', 'notes=secret', 'notes'); // a field, but not filterable
    await badQuery('customers', 'account_id=acct_x', 'account_id');
    await badQuery('customers', 'Name=Acme', 'Name');
    await badQuery('customers', 'name[]=Acme', 'name[]');
  });

  test('every listable collection refuses an unknown filter', async () => {
    for (const resource of suite.api.listable()) await badQuery(resource.collection, 'not_a_field=1', 'not_a_field');
  });

  test('an operator the field does not support, or no operator at all, is 400 naming the parameter', async () => {
    await badQuery('customers', 'name[gt]=A', 'name[gt]');
    await badQuery('customers', 'name[like]=A', 'name[like]');
    await badQuery('customers', 'status[contains]=act', 'status[contains]');
    await badQuery('invoices', 'total[starts_with]=1', 'total[starts_with]');
    await badQuery('customers', 'created_at[in]=2026-01-01', 'created_at[in]');
  });

  test(
    'a filter value of the wrong type is 400 naming the parameter, ' + 'for every typed filter of every collection',
    async () => {
      const badValues: Record<string, string[]> = {
        integer: ['abc', '1.5', '99999999999999999999'],
        money: ['abc', '12.50', '1e3'],
        datetime: [
          'abc',
          '2026-13-01',
          '2026-02-30',
          '2026-01-01T25:00:00Z',
          '0000-01-01',
          '0001-01-01T00:30:00+01:00',
        ],
        date: ['abc', '2026-02-30', '26-01-01', '0000-01-01'],
        boolean: ['yes', '1'],
        enum: ['not_a_value'],
      };
      const goodValue = (kind: string, enumValues?: readonly string[]) =>
        ({
          integer: '1',
          money: '1',
          datetime: '2026-01-01T00:00:00Z',
          date: '2026-01-01',
          boolean: 'true',
          enum: enumValues?.[0],
        })[kind];
      let checked = 0;
      for (const resource of suite.api.listable()) {
        for (const [name, field] of queryableFields(resource)) {
          const values = badValues[field.kind];
          if (!values) continue;
          const operator = field.operators.find((o) => o !== 'is_null');
          if (!operator) continue;
          const parameter = operator === 'eq' ? name : `${name}[${operator}]`;
          // Control: the same parameter with a well-typed value is accepted.
          const control = await suite.ctx.call(
            'GET',
            `/v1/${resource.collection}?${parameter}=${encodeURIComponent(goodValue(field.kind, field.enumValues)!)}`,
            { key: suite.api.owner.key },
          );
          assert.equal(control.status, 200, `${resource.collection}?${parameter}: ${control.text}`);
          for (const value of values) {
            await badQuery(resource.collection, `${parameter}=${encodeURIComponent(value)}`, parameter);
            checked++;
          }
        }
      }
      assert.ok(checked > 20, `checked ${checked} typed filters`);
    },
  );

  test('is_null takes only true or false, and in takes 1 to 100 values', async () => {
    await badQuery('customers', 'email[is_null]=maybe', 'email[is_null]');
    await badQuery('customers', 'status[in]=', 'status[in]');
    await badQuery('customers', `status[in]=${Array(101).fill('active').join(',')}`, 'status[in]');
    await badQuery('customers', 'status[in]=active,vip', 'status[in]');
  });

  test('a parameter given twice is 400', async () => {
    await badQuery('customers', 'status=active&status=lead', 'status');
    await badQuery('customers', 'limit=1&limit=2', 'limit');
  });

  test('limit 0, 101, abc, -1 and 1.5 are 400 naming limit', async () => {
    for (const value of ['0', '101', 'abc', '-1', '1.5', '']) await badQuery('customers', `limit=${value}`, 'limit');
  });

  test('offset that is not a non-negative integer is 400 naming offset', async () => {
    for (const value of ['-1', 'abc', '2.5']) await badQuery('customers', `offset=${value}`, 'offset');
  });

  test('count other than true/false is 400 naming count', async () => {
    await badQuery('customers', 'count=yes', 'count');
  });

  test('a garbage or forged cursor is 400 naming cursor', async () => {
    const forged = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const someId = `cus_${UNUSED_ULID}`;
    const cases: [cursor: string, sort?: string][] = [
      ['garbage!'],
      ['%%%'],
      ['bm90IGpzb24'],
      ['x'.repeat(3000)],
      [forged({ not: 'an array' })],
      [forged(['-created_at'])],
      [forged(['-created_at', '2026-01-01T00:00:00.000Z', someId, 'extra'])],
      [forged(['-created_at', '2026-01-01T00:00:00.000Z', 42])], // the id must be a string
      [forged(['-created_at', 'not a date', someId])],
      [forged(['-created_at', 12345, someId])],
      [forged(['-created_at', { $gt: 1 }, someId])],
      [forged(['-created_at', '2026-01-01T00:00:00.000Z', 'cus_\u0000'])],
      [forged(['name', 'Acme\u0000', someId]), 'name'],
      [forged(['name', 7, someId]), 'name'],
    ];
    for (const [cursor, sort] of cases) {
      await badQuery('customers', `cursor=${encodeURIComponent(cursor)}${sort ? `&sort=${sort}` : ''}`, 'cursor');
    }
  });

  test('a forged cursor with a wrong-typed money value is 400 (invoices sorted by total)', async () => {
    const cursor = Buffer.from(JSON.stringify(['total', 'lots', `inv_${UNUSED_ULID}`])).toString('base64url');
    await badQuery('invoices', `sort=total&cursor=${cursor}`, 'cursor');
  });

  test('a real cursor is refused under a different sort', async () => {
    const first = await suite.ctx.call('GET', '/v1/customers?limit=1&sort=name', { key: suite.api.owner.key });
    assert.equal(first.status, 200, first.text);
    const cursor = first.body.page.next_cursor;
    assert.ok(cursor, 'there is a next page');
    const ok = await suite.ctx.call('GET', `/v1/customers?limit=1&sort=name&cursor=${cursor}`, {
      key: suite.api.owner.key,
    });
    assert.equal(ok.status, 200, 'the cursor works with its own sort');
    await badQuery('customers', `limit=1&cursor=${cursor}`, 'cursor');
    await badQuery('customers', `limit=1&sort=-name&cursor=${cursor}`, 'cursor');
    await badQuery('customers', `limit=1&sort=name,created_at&cursor=${cursor}`, 'cursor');
  });

  test('offset and cursor together are 400', async () => {
    const first = await suite.ctx.call('GET', '/v1/customers?limit=1', { key: suite.api.owner.key });
    const cursor = first.body.page.next_cursor;
    assert.ok(cursor);
    const body = await badQuery('customers', `offset=1&cursor=${cursor}`, 'offset');
    assert.match(body.detail, /cursor/);
  });

  test('sorting by an undeclared or unsortable field is 400 naming sort', async () => {
    for (const sort of ['favourite_colour', 'email', '-notes', 'name,name', 'name,', '--name']) {
      const body = await badQuery('customers', `sort=${encodeURIComponent(sort)}`, 'sort');
      assert.ok(body.detail.length > 'sort'.length);
    }
  });

  test('an unknown expand is 400 naming expand, on lists and on single objects', async () => {
    await badQuery('customers', 'expand=owner', 'expand');
    await badQuery('jobs', 'expand=customer,invoice', 'expand');
    const body = await suite.api.rejects(
      'GET',
      `${suite.api.itemPath('jobs')}?expand=nonsense`,
      {},
      { status: 400, code: 'bad_request', target: 'jobs' },
    );
    assertNames(body, 'expand');
  });

  test('an unknown name in fields is 400 naming fields, on lists and on single objects', async () => {
    await badQuery('customers', 'fields=id,name,favourite_colour', 'fields');
    await badQuery('customers', 'fields=account_id', 'fields');
    const body = await suite.api.rejects(
      'GET',
      `${suite.api.itemPath('customers')}?fields=secret`,
      {},
      { status: 400, code: 'bad_request' },
    );
    assertNames(body, 'fields');
  });

  test('list-only parameters on a single object are 400 naming them', async () => {
    const body = await suite.api.rejects(
      'GET',
      `${suite.api.itemPath('customers')}?limit=1`,
      {},
      { status: 400, code: 'bad_request' },
    );
    assertNames(body, 'limit');
  });

  test('search on a collection without search fields, or a query over 200 characters, is 400 naming q', async () => {
    const unsearchable = suite.api.listable().find((r) => r.searchFields.length === 0);
    if (unsearchable) await badQuery(unsearchable.collection, 'q=anything', 'q');
    await badQuery('customers', `q=${'a'.repeat(201)}`, 'q');
  });
});
