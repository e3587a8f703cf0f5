// The tenancy matrix's third principal: an end customer. For every customer operation naming an
// object by `{id}`, another customer's object of the same account and any object of another
// account are a 404 that changes nothing; every customer list shows the caller's own objects
// and never anyone else's. Generated from the API's operations, so a new customer route is in it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { fieldlineApi } from '../src/main.ts';
import { inCustomerTenancyMatrix } from '../src/platform/api/test-matrices.ts';
import { toJsonSchema } from '../src/platform/openapi/json-schema.ts';
import { sampleFromJsonSchema } from './support/fixtures.ts';

let ctx: TestContext;
let a: TestAccount;
let b: TestAccount;
const LINES = [{ description: 'Service', quantity: 1, unit_amount: 5_000 }];
const WINDOW = { starts_at: '2027-03-01T08:00:00Z', ends_at: '2027-03-01T10:00:00Z' };

/** Makes one object a customer can see, for `customer` in `account`; answers its id. */
type Maker = (account: TestAccount, customer: { id: string; email: string }) => Promise<string>;

const { created } = accountClient(
  () => ctx,
  () => a,
);
const sent =
  (collection: string, fields: Record<string, unknown>): Maker =>
  async (account, customer) => {
    const object = await created(collection, { customer_id: customer.id, line_items: LINES, ...fields }, account.key);
    const response = await ctx.call('POST', `/v1/${collection}/${object.id}/send`, {
      key: account.key,
      body: { to: [customer.email] },
    });
    assert.equal(response.status, 200, response.text);
    return object.id;
  };
const MAKERS: Record<string, Maker> = {
  jobs: async (account, customer) =>
    (await created('jobs', { title: 'A job', customer_id: customer.id }, account.key)).id,
  invoices: sent('invoices', {}),
  estimates: sent('estimates', { title: 'An estimate' }),
  quotes: sent('quotes', { title: 'A quote' }),
  tickets: async (account, customer) =>
    (await created('tickets', { subject: 'Help', customer_id: customer.id }, account.key)).id,
  'schedule-requests': async (account, customer) =>
    (await created('schedule-requests', { customer_id: customer.id, preferred_windows: [WINDOW] }, account.key)).id,
  'knowledge-base-articles': async (account) => {
    const article = await created('knowledge-base-articles', { title: 'How to', body: 'Like this.' }, account.key);
    await ctx.call('POST', `/v1/knowledge-base-articles/${article.id}/publish`, { key: account.key });
    return article.id;
  },
};
/** Collections every customer of an account shares (published articles): only another account's are out of reach. */
const SHARED = new Set(['knowledge-base-articles']);

const operations = fieldlineApi().operations.filter((operation) => operation.authentication === 'customer');
const withIds = operations.filter(inCustomerTenancyMatrix);
const lists = operations.filter((operation) => operation.operationId.startsWith('listCustomer'));
const collectionOf = (prefix: string) => ctx.registry.resources.find((r) => `^${r.idPrefix}_` === prefix)!.collection;

/** objects[who][collection] = id, for the signed-in customer, another customer of A, and a customer of B. */
const objects: Record<'mine' | 'neighbour' | 'otherAccount', Record<string, string>> = {
  mine: {},
  neighbour: {},
  otherAccount: {},
};
let token: string;

async function signIn(account: TestAccount, email: string): Promise<string> {
  const start = await ctx.call('POST', '/v1/customer/auth/start', { body: { account_id: account.id, email } });
  assert.equal(start.status, 202, start.text);
  const [mail] = await systemQuery<{ text_body: string }>(ctx.db, {
    sql: 'SELECT text_body FROM mail_outbox WHERE $1 = ANY (to_addresses) ORDER BY created_at DESC LIMIT 1',
    parameters: [email],
  });
  const code = /: (\d{6})\n/.exec(mail.text_body)![1];
  const verified = await ctx.call('POST', '/v1/customer/auth/verify', {
    body: { account_id: account.id, email, code },
  });
  assert.equal(verified.status, 200, verified.text);
  return verified.body.data.token;
}

before(async () => {
  ctx = await createTestContext();
  a = await ctx.newAccount('A');
  b = await ctx.newAccount('B');
  const stamp = Date.now();
  const customers = {
    mine: { account: a, email: `mine${stamp}@tenancy.test` },
    neighbour: { account: a, email: `neighbour${stamp}@tenancy.test` },
    otherAccount: { account: b, email: `other${stamp}@tenancy.test` },
  };
  for (const [who, { account, email }] of Object.entries(customers) as [keyof typeof objects, any][]) {
    const customer = await created('customers', { name: who, email }, account.key);
    for (const [collection, make] of Object.entries(MAKERS))
      objects[who][collection] = await make(account, { id: customer.id, email });
  }
  token = await signIn(a, customers.mine.email);
});
after(() => ctx.close());

/** What staff see of an object: it must not change when a customer is refused. */
const staffView = (account: TestAccount, collection: string, id: string) =>
  ctx.call('GET', `/v1/${collection}/${id}`, { key: account.key }).then((response) => response.body);

describe('a customer reaches only their own objects on every customer route', () => {
  test('the matrix is not empty', () => {
    assert.ok(withIds.length >= 14, `customer routes with ids: ${withIds.length}`);
    assert.ok(lists.length >= 7, `customer lists: ${lists.length}`);
  });

  for (const operation of withIds) {
    const name = `${operation.method.toUpperCase()} ${operation.path}`;
    const body = () => {
      const spec = operation.body;
      return spec && 'json' in spec ? sampleFromJsonSchema(toJsonSchema(spec.json)) : undefined;
    };
    for (const who of ['neighbour', 'otherAccount'] as const) {
      test(`${name} with ${who === 'neighbour' ? "another customer's" : "another account's"} id is 404`, async (t) => {
        const collection = collectionOf(operation.params!.id.pattern!);
        if (who === 'neighbour' && SHARED.has(collection)) return t.skip('shared by every customer of the account');
        const id = objects[who][collection];
        const owner = who === 'neighbour' ? a : b;
        const before = await staffView(owner, collection, id);
        const response = await ctx.call(operation.method.toUpperCase(), operation.path.replace('{id}', id), {
          key: token,
          body: body(),
        });
        assert.equal(response.status, 404, response.text);
        assert.equal(response.body.code, 'not_found');
        assert.deepEqual(await staffView(owner, collection, id), before);
      });
    }
  }

  for (const operation of lists) {
    test(`GET ${operation.path} lists the customer's own objects and nobody else's`, async () => {
      const response = await ctx.call('GET', `${operation.path}?limit=100`, { key: token });
      assert.equal(response.status, 200, response.text);
      const ids = response.body.data.map((object: { id: string }) => object.id);
      const collection = Object.keys(MAKERS).find((name) => ids.includes(objects.mine[name]));
      assert.ok(collection, 'the list shows what is theirs');
      if (!SHARED.has(collection)) assert.ok(!ids.includes(objects.neighbour[collection]));
      assert.ok(!ids.includes(objects.otherAccount[collection]));
    });
  }
});
