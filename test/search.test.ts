// GET /v1/search: one ranked list across the searchable collections of the caller's account,
// only those its key may read; and the export alias /v1/exports/{collection}.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Search Co');
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);
const search = async (query: string, key = account.key) => {
  const response = await call('GET', `/v1/search?${query}`, undefined, key);
  assert.equal(response.status, 200, response.text);
  return response.body.data.data as any[];
};

describe('search', () => {
  test(
    'finds customers, contacts, jobs, tickets and articles by word prefix, ' + 'typed, with the object and a title',
    async () => {
      const customer = await created('customers', { name: 'Plumridge Farm', email: 'ops@plumridge.example' });
      const contact = await created('contacts', { first_name: 'Pat', last_name: 'Plummer', customer_id: customer.id });
      const job = await created('jobs', { title: 'Plumbing inspection', customer_id: customer.id });
      const ticket = await created('tickets', { subject: 'Leaking plumbing joint', customer_id: customer.id });
      const article = await created('knowledge-base-articles', {
        title: 'Winterising plumbing',
        body: 'Drain every pipe.',
      });
      await created('customers', { name: 'Unrelated Bakery' });

      const results = await search('q=plum');
      assert.deepEqual(
        results.map((r) => r.id).sort(),
        [customer.id, contact.id, job.id, ticket.id, article.id].sort(),
      );
      const byId = new Map(results.map((r) => [r.id, r]));
      assert.deepEqual(
        [byId.get(contact.id).type, byId.get(contact.id).collection, byId.get(contact.id).title],
        ['contact', 'contacts', 'Pat Plummer'],
      );
      assert.deepEqual(byId.get(job.id).data, (await call('GET', `/v1/jobs/${job.id}`)).body.data);
      assert.ok(
        results.every((r, i) => i === 0 || results[i - 1].score >= r.score),
        'best first',
      );

      assert.deepEqual(
        (await search('q=plumbing joint')).map((r) => r.id),
        [ticket.id],
        'every word must match',
      );
      assert.deepEqual((await search('q=plum&types=jobs,tickets')).map((r) => r.collection).sort(), [
        'jobs',
        'tickets',
      ]);
      assert.equal((await search('q=plum&limit=2')).length, 2);
    },
  );

  test('a stronger match ranks first; deleted objects are not found', async () => {
    const weak = await created('tickets', { subject: 'Boiler', description: 'The heater in the hall is noisy' });
    const strong = await created('tickets', { subject: 'Heater heater heater', description: 'heater' });
    const gone = await created('customers', { name: 'Heater Hut' });
    await call('DELETE', `/v1/customers/${gone.id}`);
    assert.deepEqual(
      (await search('q=heater')).map((r) => r.id),
      [strong.id, weak.id],
    );
  });

  test("another account's objects are never found", async () => {
    const other = await ctx.newAccount('Rival');
    await created('customers', { name: 'Secret Zeppelin Works' }, other.key);
    assert.deepEqual(await search('q=zeppelin'), []);
    assert.equal((await search('q=zeppelin', other.key)).length, 1);
  });

  test('a key searches only what it may read; naming a collection it cannot read is a 403', async () => {
    await created('customers', { name: 'Quartz Quarry' });
    const job = await created('jobs', {
      title: 'Quartz countertop',
      customer_id: (await created('customers', { name: 'Kitchen Ltd' })).id,
    });
    const jobsOnly = await ctx.newKey(account.id, ['read:jobs']);
    assert.deepEqual(
      (await search('q=quartz', jobsOnly)).map((r) => r.id),
      [job.id],
    );
    assertProblem(
      await call('GET', '/v1/search?q=quartz&types=customers', undefined, jobsOnly),
      403,
      'insufficient_scope',
    );
    const noReads = await ctx.newKey(account.id, ['write:jobs']);
    assertProblem(await call('GET', '/v1/search?q=quartz', undefined, noReads), 403, 'insufficient_scope');
  });

  test('bad queries are 400s naming the parameter', async () => {
    assertNames(assertProblem(await call('GET', '/v1/search'), 400, 'bad_request'), 'q');
    assertNames(assertProblem(await call('GET', '/v1/search?q=%20%20'), 400, 'bad_request'), 'q');
    assertNames(assertProblem(await call('GET', '/v1/search?q=***'), 400, 'bad_request'), 'q');
    assertNames(
      assertProblem(await call('GET', '/v1/search?q=a&types=webhook-endpoints'), 400, 'bad_request'),
      'types',
    );
    assertNames(assertProblem(await call('GET', '/v1/search?q=a&limit=51'), 400, 'bad_request'), 'limit');
  });
});
