// Leads: convert makes the customer, the primary contact and optionally a job, with an event
// for each, all or nothing and exactly once (also when two converts race); lose and reopen.
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
  account = await ctx.newAccount('Pipeline Co');
});

const { call } = accountClient(
  () => ctx,
  () => account,
);
const countOf = async (collection: string) =>
  (await call('GET', `/v1/${collection}?count=true&limit=1`)).body.page.total;
const typesOfEvents = async () =>
  (await call('GET', '/v1/events?limit=20&sort=created_at')).body.data.map((e: any) => e.type);

async function newLead(body: Record<string, unknown> = {}) {
  const created = await call('POST', '/v1/leads', {
    first_name: 'Grace',
    last_name: 'Hopper',
    company: 'Navy Yard',
    email: 'grace@navy.example',
    address: { line1: '1 Pier', city: 'Arlington' },
    ...body,
  });
  assert.equal(created.status, 201, created.text);
  return created.body.data;
}

describe('leads', () => {
  test('convert creates the customer, the primary contact and a job, and links them on the lead', async () => {
    const lead = await newLead({ source: 'referral', stage: 'new' });
    const converted = await call('POST', `/v1/leads/${lead.id}/convert`, {
      create_job: { title: 'Survey the boiler room', priority: 'high' },
    });
    assert.equal(converted.status, 200, converted.text);
    const done = converted.body.data;
    assert.equal(done.status, 'converted');
    assert.equal(done.stage, 'qualified', 'a converted lead does not stay at the stage it was left in');
    assert.ok(done.converted_at);
    const customer = (await call('GET', `/v1/customers/${done.customer_id}`)).body.data;
    assert.deepEqual(
      [customer.name, customer.email, customer.address.city],
      ['Navy Yard', 'grace@navy.example', 'Arlington'],
    );
    const contact = (await call('GET', `/v1/contacts/${done.contact_id}`)).body.data;
    assert.deepEqual(
      [contact.first_name, contact.last_name, contact.customer_id, contact.role],
      ['Grace', 'Hopper', customer.id, 'primary'],
    );
    const job = (await call('GET', `/v1/jobs/${done.job_id}`)).body.data;
    assert.deepEqual(
      [job.title, job.priority, job.customer_id, job.address.line1],
      ['Survey the boiler room', 'high', customer.id, '1 Pier'],
    );
    const types = await typesOfEvents();
    assert.deepEqual(types.slice(-4), ['customer.created', 'contact.created', 'job.created', 'lead.converted']);

    assertProblem(await call('POST', `/v1/leads/${lead.id}/convert`, {}), 409, 'invalid_state_transition');
    assertProblem(await call('PATCH', `/v1/leads/${lead.id}`, { stage: 'new' }), 409, 'conflict');
  });

  test('convert can join an existing customer; one of another account is refused and nothing is created', async () => {
    const other = await ctx.newAccount('Other Co');
    const theirs = (await ctx.call('POST', '/v1/customers', { key: other.key, body: { name: 'Theirs' } })).body.data;
    const lead = await newLead();
    const [customersBefore, contactsBefore] = [await countOf('customers'), await countOf('contacts')];
    assertNames(
      assertProblem(
        await call('POST', `/v1/leads/${lead.id}/convert`, { customer_id: theirs.id }),
        422,
        'validation_failed',
      ),
      'customer_id',
    );
    assertNames(
      assertProblem(
        await call('POST', `/v1/leads/${lead.id}/convert`, { create_job: { title: '' } }),
        422,
        'validation_failed',
      ),
      'create_job.title',
    );
    assert.deepEqual(
      [
        await countOf('customers'),
        await countOf('contacts'),
        (await call('GET', `/v1/leads/${lead.id}`)).body.data.status,
      ],
      [customersBefore, contactsBefore, 'open'],
    );

    const ours = (await call('POST', '/v1/customers', { name: 'Ours' })).body.data;
    const joined = (await call('POST', `/v1/leads/${lead.id}/convert`, { customer_id: ours.id })).body.data;
    assert.deepEqual([joined.customer_id, joined.job_id], [ours.id, null]);
    assert.equal(await countOf('customers'), customersBefore + 1, 'only the one created by hand');
  });

  test('two converts at once: one succeeds, the other is refused, one customer exists', async () => {
    const lead = await newLead();
    const before = await countOf('customers');
    const results = await Promise.all([1, 2, 3].map(() => call('POST', `/v1/leads/${lead.id}/convert`, {})));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409]);
    assert.equal(await countOf('customers'), before + 1);
    assert.equal(await countOf('contacts'), 1);
  });

  test('lose and reopen', async () => {
    const lead = await newLead();
    const lost = (await call('POST', `/v1/leads/${lead.id}/lose`, { reason: 'Went with a competitor' })).body.data;
    assert.deepEqual([lost.status, lost.lost_reason], ['lost', 'Went with a competitor']);
    assertProblem(await call('POST', `/v1/leads/${lead.id}/convert`, {}), 409, 'invalid_state_transition');
    const reopened = (await call('POST', `/v1/leads/${lead.id}/reopen`)).body.data;
    assert.deepEqual([reopened.status, reopened.lost_reason], ['open', null]);
  });
});
