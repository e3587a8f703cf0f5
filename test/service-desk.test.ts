// Tickets and the knowledge base: a ticket's due time follows its priority's SLA from when it
// was opened; resolving records whether the SLA was met; reopen and close follow the
// lifecycle. Articles are drafts until published, and `q` finds them by words of the body.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { RESOLUTION_SLA_HOURS } from '../src/domain/tickets.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Desk Co');
});

const { call } = accountClient(
  () => ctx,
  () => account,
);
const hoursBetween = (from: string, to: string) => (new Date(to).getTime() - new Date(from).getTime()) / 3_600_000;

describe('tickets', () => {
  test('the due time follows the priority, from when the ticket was opened', async () => {
    const ticket = (await call('POST', '/v1/tickets', { subject: 'No hot water', priority: 'urgent' })).body.data;
    assert.equal(hoursBetween(ticket.created_at, ticket.due_at), RESOLUTION_SLA_HOURS.urgent);
    const relaxed = (await call('PATCH', `/v1/tickets/${ticket.id}`, { priority: 'low' })).body.data;
    assert.equal(hoursBetween(ticket.created_at, relaxed.due_at), RESOLUTION_SLA_HOURS.low);
    const overdue = await call(
      'GET',
      `/v1/tickets?status=open&due_at[lt]=${encodeURIComponent(new Date(Date.now() + 200 * 3_600_000).toISOString())}`,
    );
    assert.deepEqual(
      overdue.body.data.map((t: any) => t.id),
      [ticket.id],
    );
  });

  test('resolve, close and reopen; a resolved ticket cannot be edited', async () => {
    const ticket = (await call('POST', '/v1/tickets', { subject: 'Noisy pump' })).body.data;
    assert.deepEqual([ticket.status, ticket.resolved_within_sla], ['open', null]);
    assertProblem(await call('POST', `/v1/tickets/${ticket.id}/resolve`, {}), 422, 'validation_failed');
    const resolved = (await call('POST', `/v1/tickets/${ticket.id}/resolve`, { resolution: 'Bled the air out' })).body
      .data;
    assert.deepEqual(
      [resolved.status, resolved.resolution, resolved.resolved_within_sla],
      ['resolved', 'Bled the air out', true],
    );
    assertProblem(await call('PATCH', `/v1/tickets/${ticket.id}`, { subject: 'x' }), 409, 'conflict');
    const closed = (await call('POST', `/v1/tickets/${ticket.id}/close`)).body.data;
    assert.equal(closed.status, 'closed');
    const reopened = (await call('POST', `/v1/tickets/${ticket.id}/reopen`)).body.data;
    assert.deepEqual(
      [reopened.status, reopened.resolved_at, reopened.resolved_within_sla, reopened.due_at],
      ['open', null, null, ticket.due_at],
    );
    const types = (await call('GET', '/v1/events?limit=10&sort=created_at')).body.data.map((e: any) => e.type);
    assert.deepEqual(types.slice(-4), ['ticket.created', 'ticket.resolved', 'ticket.closed', 'ticket.reopened']);
  });
});

describe('knowledge base', () => {
  test('articles are drafts until published; q searches the body', async () => {
    const article = (
      await call('POST', '/v1/knowledge-base-articles', {
        title: 'Tripped furnace',
        body: 'Switch off the service switch, wait thirty seconds, then relight the pilot.',
      })
    ).body.data;
    await call('POST', '/v1/knowledge-base-articles', { title: 'Descaling a kettle', body: 'Vinegar and water.' });
    assert.equal(article.status, 'draft');
    const published = (await call('POST', `/v1/knowledge-base-articles/${article.id}/publish`)).body.data;
    assert.deepEqual([published.status, typeof published.published_at], ['published', 'string']);
    const found = await call('GET', '/v1/knowledge-base-articles?q=pilot&status=published');
    assert.deepEqual(
      found.body.data.map((a: any) => a.id),
      [article.id],
    );
    assert.deepEqual((await call('GET', '/v1/knowledge-base-articles?q=vinegar&status=published')).body.data, []);
    assertProblem(
      await call('POST', `/v1/knowledge-base-articles/${article.id}/publish`),
      409,
      'invalid_state_transition',
    );
    const archived = (await call('POST', `/v1/knowledge-base-articles/${article.id}/archive`)).body.data;
    assert.deepEqual([archived.status, archived.published_at], ['archived', null]);
  });
});
