// Review requests: only for a completed job; creating one mails the link to the customer (or
// the address given) in the same transaction; clicks and reviews follow the lifecycle.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';
import { systemQuery } from '../src/db/system-query.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Reviews Co');
});
const mailbox = (name: string) => `${name}-${account.id.toLowerCase()}@reviews.example`;

const { call } = accountClient(
  () => ctx,
  () => account,
);
const mailTo = (address: string) =>
  systemQuery(ctx.db, {
    sql: 'SELECT subject, text_body FROM mail_outbox WHERE $1 = ANY (to_addresses)',
    parameters: [address],
  });

async function jobFor(customer: Record<string, unknown>, finish = true) {
  const customerId = (await call('POST', '/v1/customers', customer)).body.data.id;
  const job = (await call('POST', '/v1/jobs', { title: 'Fix the boiler', customer_id: customerId })).body.data;
  if (!finish) return job;
  await call('POST', `/v1/jobs/${job.id}/schedule`, {
    scheduled_start: '2026-03-01T09:00:00Z',
    scheduled_end: '2026-03-01T10:00:00Z',
  });
  await call('POST', `/v1/jobs/${job.id}/start`);
  assert.equal((await call('POST', `/v1/jobs/${job.id}/complete`)).status, 200);
  return job;
}

describe('review requests', () => {
  test("a completed job's customer is mailed the link; click and review are recorded", async () => {
    const email = mailbox('ada');
    const job = await jobFor({ name: 'Ada', email });
    const created = await call('POST', '/v1/review-requests', {
      job_id: job.id,
      review_url: 'https://reviews.example/fieldline',
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(
      [created.body.data.status, created.body.data.email, created.body.data.customer_id],
      ['sent', email, job.customer_id],
    );
    const [mail] = await mailTo(email);
    assert.match(mail.text_body, /https:\/\/reviews\.example\/fieldline/);

    const id = created.body.data.id;
    assert.equal((await call('POST', `/v1/review-requests/${id}/mark-clicked`)).body.data.status, 'clicked');
    assertProblem(
      await call('POST', `/v1/review-requests/${id}/mark-reviewed`, { rating: 6 }),
      422,
      'validation_failed',
    );
    const reviewed = (
      await call('POST', `/v1/review-requests/${id}/mark-reviewed`, { rating: 5, comment: 'Quick and tidy' })
    ).body.data;
    assert.deepEqual([reviewed.status, reviewed.rating, reviewed.comment], ['reviewed', 5, 'Quick and tidy']);
    assertProblem(await call('POST', `/v1/review-requests/${id}/mark-clicked`), 409, 'invalid_state_transition');
  });

  test('refused for an unfinished job, or with nowhere to send it; nothing is mailed', async () => {
    const open = await jobFor({ name: 'Bo', email: mailbox('bo') }, false);
    assertProblem(
      await call('POST', '/v1/review-requests', { job_id: open.id, review_url: 'https://reviews.example/x' }),
      409,
      'conflict',
    );
    assert.equal((await mailTo(mailbox('bo'))).length, 0);
    const silent = await jobFor({ name: 'No Mail' });
    assertNames(
      assertProblem(
        await call('POST', '/v1/review-requests', { job_id: silent.id, review_url: 'https://reviews.example/x' }),
        422,
        'validation_failed',
      ),
      'email',
    );
    const given = await call('POST', '/v1/review-requests', {
      job_id: silent.id,
      review_url: 'https://reviews.example/x',
      email: mailbox('given'),
    });
    assert.equal(given.status, 201, given.text);
    assert.equal((await mailTo(mailbox('given'))).length, 1);
  });
});
