// Ticket SLAs: an open ticket past its due time is escalated once by the sweep, as a
// `ticket.escalated` event that tells its assignee, the owners and the admins (no one else);
// resolved tickets and tickets not yet due are left alone, however often and on however many
// nodes the sweep runs. A rule on the event can hand the ticket to someone; a person can
// escalate by hand, handing it over in the same step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AutomationEngine } from '../src/automation/automation-engine.ts';
import { SLA_MISSED, TicketEscalation } from '../src/automation/ticket-escalation.ts';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { memberWithRole, signUp } from './support/members.ts';
import { assertProblem } from './support/problem-assertions.ts';

let t: TestContext;
let owner: Awaited<ReturnType<typeof signUp>>;
let admin: { cookie: string; userId: string };
let dispatcher: { cookie: string; userId: string };
let office: { cookie: string; userId: string };
let sweeper: TicketEscalation;
const HOUR = 3_600_000;

before(async () => {
  t = await createTestContext();
  owner = await signUp(t, 'owner');
  admin = await memberWithRole(t, owner.cookie, 'admin', 'ada');
  dispatcher = await memberWithRole(t, owner.cookie, 'dispatcher', 'dora');
  office = await memberWithRole(t, owner.cookie, 'office', 'otto');
  sweeper = new TicketEscalation(t.runtime, pino({ level: 'silent' }));
});
after(() => t.close());

const call = async (method: string, path: string, body?: unknown, cookie = owner.cookie) => {
  const res = await t.call(method, path, { headers: { cookie }, body });
  assert.ok(res.status < 500, res.text);
  return res;
};
const sweep = (hoursAhead: number) =>
  sweeper.sweep({ now: Date.now() + hoursAhead * HOUR, accountIds: [owner.accountId] });
const ticket = async (id: string) => (await call('GET', `/v1/tickets/${id}`)).body.data;
const noticesOf = async (member: { cookie: string; userId: string }, ticketId: string) =>
  (
    (await call('GET', `/v1/notifications?user_id=${member.userId}&limit=100`, undefined, member.cookie)).body
      .data as any[]
  )
    .filter((n) => n.link === `/v1/tickets/${ticketId}`)
    .map((n) => n.title as string);

test('an open ticket past its due time is escalated once; the assignee, owners and admins are told', async () => {
  const urgent = (await call('POST', '/v1/tickets', { subject: 'Flooded basement', priority: 'urgent' })).body.data;
  await call('PATCH', `/v1/tickets/${urgent.id}`, { assignee_id: dispatcher.userId });
  const resolved = (await call('POST', '/v1/tickets', { subject: 'Fixed already', priority: 'urgent' })).body.data;
  await call('POST', `/v1/tickets/${resolved.id}/resolve`, { resolution: 'Done' });
  const normal = (await call('POST', '/v1/tickets', { subject: 'Slow drain', priority: 'normal' })).body.data;

  assert.deepEqual(await sweep(3), { escalated: 0 }, 'not due yet (urgent: 4 h)');
  // Two nodes sweeping at once escalate it once.
  const [first, second] = await Promise.all([sweep(5), sweep(5)]);
  assert.equal(first.escalated + second.escalated, 1);
  assert.deepEqual(await sweep(6), { escalated: 0 });

  const escalated = await ticket(urgent.id);
  assert.ok(escalated.escalated_at);
  assert.equal(escalated.escalation_reason, SLA_MISSED);
  assert.equal(escalated.status, 'open');
  assert.equal((await ticket(resolved.id)).escalated_at, null, 'resolved in time: left alone');
  assert.equal((await ticket(normal.id)).escalated_at, null, 'normal: 72 h');
  const events = (await call('GET', '/v1/events?type=ticket.escalated&limit=100')).body.data as any[];
  assert.deepEqual(
    events.map((e) => e.data.object.id),
    [urgent.id],
  );

  const told = 'Ticket escalated: Flooded basement';
  assert.ok((await noticesOf(dispatcher, urgent.id)).includes(told), 'the assignee');
  assert.ok((await noticesOf(admin, urgent.id)).includes(told), 'an admin');
  assert.ok((await noticesOf({ cookie: owner.cookie, userId: await ownerId() }, urgent.id)).includes(told));
  assert.ok(!(await noticesOf(office, urgent.id)).includes(told), 'not office staff who are not its assignee');

  // A ticket reopened after its due time stays escalated: once is once.
  await call('POST', `/v1/tickets/${urgent.id}/resolve`, { resolution: 'Pumped out' });
  await call('POST', `/v1/tickets/${urgent.id}/reopen`);
  assert.deepEqual(await sweep(7), { escalated: 0 });
});

async function ownerId() {
  return (await call('GET', '/v1/users?role=owner')).body.data[0].id as string;
}

test('a rule on the escalation hands the ticket to someone', async () => {
  const engine = new AutomationEngine(t.runtime, pino({ level: 'silent' }), { accountIds: [owner.accountId] });
  const rule = await call('POST', '/v1/automation-rules', {
    name: 'Escalated tickets go to Ada',
    trigger: { type: 'event', event: 'ticket.escalated' },
    conditions: { field: 'object.subject', op: 'contains', value: '[handover]' },
    actions: [{ type: 'update_record', fields: { assignee_id: admin.userId } }],
  });
  assert.equal(rule.status, 201, rule.text);
  const made = (await call('POST', '/v1/tickets', { subject: '[handover] No heat', priority: 'urgent' })).body.data;
  assert.equal((await sweep(5)).escalated, 1);
  await engine.settle();
  assert.equal((await ticket(made.id)).assignee_id, admin.userId);
  assert.ok((await noticesOf(admin, made.id)).includes('Ticket assigned to you: [handover] No heat'));
});

test('escalating by hand: once, optionally to another member; a bad member changes nothing', async () => {
  const made = (await call('POST', '/v1/tickets', { subject: 'Customer furious', priority: 'low' })).body.data;
  const bad = await call('POST', `/v1/tickets/${made.id}/escalate`, { assignee_id: 'usr_nobody' });
  const problem = assertProblem(bad, 422, 'validation_failed');
  assert.equal(problem.errors[0].path, 'assignee_id');
  assert.equal((await ticket(made.id)).escalated_at, null);

  const done = await call('POST', `/v1/tickets/${made.id}/escalate`, {
    reason: 'Called three times',
    assignee_id: dispatcher.userId,
  });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.data.assignee_id, dispatcher.userId);
  assert.equal(done.body.data.escalation_reason, 'Called three times');
  assert.ok((await noticesOf(dispatcher, made.id)).includes('Ticket escalated: Customer furious'));
  assertProblem(await call('POST', `/v1/tickets/${made.id}/escalate`), 409, 'conflict');
  // The sweep, days later, leaves it alone: it is escalated already.
  await sweep(24 * 8);
  const after = await ticket(made.id);
  assert.equal(after.escalated_at, done.body.data.escalated_at);
  assert.equal(after.escalation_reason, 'Called three times');
});
