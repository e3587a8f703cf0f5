// A run can ask for a decision: its `request_approval` step opens an approval for the members it
// names and the run waits, with nothing to wake it but the decision. Approved, it goes on at its
// next step; rejected, it ends cancelled and its later steps never run; cancelling the run
// withdraws the question. Runs count against the plan: past the month's quota a rule's run is
// recorded failed, saying why, and a workflow started by hand is refused with 429.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { systemQuery } from '../src/db/system-query.ts';
import { AutomationEngine } from '../src/automation/automation-engine.ts';
import { periodOf } from '../src/limits/monthly-quota.ts';
import { automationRunQuota } from '../src/limits/limits-services.ts';
import { PLANS } from '../src/limits/plans.ts';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { memberWithRole, signUp } from './support/members.ts';
import { assertProblem } from './support/problem-assertions.ts';

let t: TestContext;
let owner: Awaited<ReturnType<typeof signUp>>;
let admin: { cookie: string; userId: string };
let engine: AutomationEngine;

before(async () => {
  t = await createTestContext();
  owner = await signUp(t, 'owner');
  admin = await memberWithRole(t, owner.cookie, 'admin', 'adam');
  engine = new AutomationEngine(t.runtime, pino({ level: 'silent' }), { accountIds: [owner.accountId] });
});
after(() => t.close());

const as = (cookie: string) => async (method: string, path: string, body?: unknown) => {
  const res = await t.call(method, path, { headers: { cookie }, body });
  assert.ok(res.status < 500, res.text);
  return res;
};

/** A rule on new tickets whose subject starts with `prefix`: ask the admins, then mark the ticket urgent. */
async function askingRule(prefix: string) {
  const made = await as(owner.cookie)('POST', '/v1/automation-rules', {
    name: `Ask before escalating ${prefix}`,
    trigger: { type: 'event', event: 'ticket.created' },
    conditions: { field: 'object.subject', op: 'contains', value: prefix },
    actions: [
      { type: 'request_approval', roles: ['admin'], summary: 'Make {{object.subject}} urgent?' },
      { type: 'update_record', fields: { priority: 'urgent' } },
    ],
  });
  assert.equal(made.status, 201, made.text);
  return made.body.data.id as string;
}

async function ticketAndItsRun(ruleId: string, subject: string) {
  const ticket = (await as(owner.cookie)('POST', '/v1/tickets', { subject })).body.data;
  await engine.settle();
  const runs = (await as(owner.cookie)('GET', `/v1/automation-rules/${ruleId}/runs`)).body.data;
  const run = runs.find((r: any) => r.object_id === ticket.id);
  assert.ok(run, 'the ticket made a run');
  return { ticket, run };
}

const approvalOf = async (runId: string) =>
  (await as(owner.cookie)('GET', `/v1/approvals?run_id=${runId}`)).body.data[0];
const getRun = async (id: string) => (await as(owner.cookie)('GET', `/v1/automation-runs/${id}`)).body.data;
const priorityOf = async (id: string) => (await as(owner.cookie)('GET', `/v1/tickets/${id}`)).body.data.priority;

test('a run that asks waits for the decision, then goes on when approved', async () => {
  const ruleId = await askingRule('[approve]');
  const { ticket, run } = await ticketAndItsRun(ruleId, '[approve] Leak in the attic');
  assert.equal(run.status, 'waiting');
  assert.deepEqual(
    run.steps.map((s: any) => s.action),
    ['request_approval'],
  );
  const approval = await approvalOf(run.id);
  assert.equal(approval.status, 'pending');
  assert.equal(approval.summary, 'Make [approve] Leak in the attic urgent?');
  assert.equal(approval.object_id, ticket.id);
  assert.equal(approval.action, null);
  assert.equal(run.steps[0].result.approval_id, approval.id);

  // However many rounds pass, nothing moves before the decision.
  await engine.settle();
  assert.equal((await getRun(run.id)).status, 'waiting');
  assert.equal(await priorityOf(ticket.id), 'normal');
  const mine = (await as(admin.cookie)('GET', '/v1/approvals/mine')).body.data.data;
  assert.ok(
    mine.some((a: any) => a.id === approval.id),
    'the admin is asked',
  );
  const notices = (await as(admin.cookie)('GET', `/v1/notifications?user_id=${admin.userId}`)).body.data;
  assert.ok(
    notices.some((n: any) => n.link === `/v1/approvals/${approval.id}` && n.body.includes('[approve] Leak')),
    JSON.stringify(notices),
  );

  // The owner is no admin: not theirs to decide.
  assertProblem(await as(owner.cookie)('POST', `/v1/approvals/${approval.id}/approve`), 403, 'forbidden');
  const approved = await as(admin.cookie)('POST', `/v1/approvals/${approval.id}/approve`);
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.body.data.decided_by, admin.userId);
  await engine.settle();
  const done = await getRun(run.id);
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  assert.deepEqual(
    done.steps.map((s: any) => s.action),
    ['request_approval', 'update_record'],
  );
  assert.equal(await priorityOf(ticket.id), 'urgent');
});

test('rejected, the run is cancelled and its later steps never run', async () => {
  const ruleId = await askingRule('[reject]');
  const { ticket, run } = await ticketAndItsRun(ruleId, '[reject] Noisy fan');
  const approval = await approvalOf(run.id);
  const rejected = await as(admin.cookie)('POST', `/v1/approvals/${approval.id}/reject`, { reason: 'Not urgent' });
  assert.equal(rejected.status, 200, rejected.text);
  await engine.settle();
  const ended = await getRun(run.id);
  assert.equal(ended.status, 'cancelled');
  assert.match(ended.error, /rejected by .*: Not urgent/);
  assert.equal(await priorityOf(ticket.id), 'normal');
  const events = (await as(owner.cookie)('GET', '/v1/events?type=automation_run.cancelled&limit=100')).body.data;
  assert.ok(
    events.some((e: any) => e.data.object.id === run.id),
    'the cancellation is an event',
  );
});

test('cancelling a waiting run withdraws its question', async () => {
  const ruleId = await askingRule('[cancel]');
  const { run } = await ticketAndItsRun(ruleId, '[cancel] Broken tap');
  const cancelled = await as(owner.cookie)('POST', `/v1/automation-runs/${run.id}/cancel`);
  assert.equal(cancelled.status, 200, cancelled.text);
  const approval = await approvalOf(run.id);
  assert.equal(approval.status, 'cancelled');
  assertProblem(
    await as(admin.cookie)('POST', `/v1/approvals/${approval.id}/approve`),
    409,
    'invalid_state_transition',
  );
});

test('a request naming no one is refused on save; naming no active member fails the run', async () => {
  const call = as(owner.cookie);
  const bad = await call('POST', '/v1/automation-rules', {
    name: 'Asks no one',
    trigger: { type: 'event', event: 'ticket.created' },
    actions: [{ type: 'request_approval', summary: 'Well?' }],
  });
  const problem = assertProblem(bad, 422, 'validation_failed');
  assert.ok(problem.errors.some((e: any) => e.path === 'actions.0.user_ids'));
  const noOne = await call('POST', '/v1/automation-rules', {
    name: 'Asks the technicians, of whom there are none',
    trigger: { type: 'event', event: 'ticket.created' },
    conditions: { field: 'object.subject', op: 'contains', value: '[nobody]' },
    actions: [{ type: 'request_approval', roles: ['technician'], summary: 'Well?' }],
  });
  assert.equal(noOne.status, 201, noOne.text);
  const { run } = await ticketAndItsRun(noOne.body.data.id, '[nobody] Who decides?');
  assert.equal(run.status, 'failed');
  assert.match(run.error, /no one could decide/);
});

test('past the plan’s monthly quota, rules’ runs fail saying why and a workflow by hand answers 429', async () => {
  const account = await t.newAccount('Quota Co', { plan: 'free' });
  const quotaEngine = new AutomationEngine(t.runtime, pino({ level: 'silent' }), { accountIds: [account.id] });
  const call = async (method: string, path: string, body?: unknown) =>
    t.call(method, path, { headers: { authorization: `Bearer ${account.key}` }, body });
  const rule = await call('POST', '/v1/automation-rules', {
    name: 'Tag new customers',
    trigger: { type: 'event', event: 'customer.created' },
    actions: [{ type: 'update_record', fields: { notes: 'seen' } }],
  });
  assert.equal(rule.status, 201, rule.text);
  const workflow = await call('POST', '/v1/workflows', {
    name: 'Hand work',
    steps: [{ type: 'delay', seconds: 1 }],
  });
  assert.equal(workflow.status, 201, workflow.text);

  // Under the quota: the run happens and is counted.
  await call('POST', '/v1/customers', { name: 'Counted' });
  await quotaEngine.settle();
  const quota = t.runtime.use(automationRunQuota);
  assert.equal(quota.state(account.id, PLANS.free).used, 1);
  const limits = (await call('GET', '/v1/rate-limit')).body.data.quota;
  assert.equal(limits.automation_runs_limit, PLANS.free.monthlyAutomationRuns);
  assert.equal(limits.automation_runs_used, 1);

  // Other nodes used the rest of the month's runs; this node learns the total.
  await quota.flush();
  await systemQuery(t.db, {
    sql: 'UPDATE usage_counters SET automation_runs = $3 WHERE account_id = $1 AND period = $2',
    parameters: [account.id, periodOf(Date.now()), PLANS.free.monthlyAutomationRuns],
  });
  await quota.current(account.id, PLANS.free);

  const customer = (await call('POST', '/v1/customers', { name: 'Over the quota' })).body.data;
  await quotaEngine.settle();
  const runs = (await call('GET', `/v1/automation-rules/${rule.body.data.id}/runs`)).body.data;
  const refused = runs.find((r: any) => r.object_id === customer.id);
  assert.equal(refused.status, 'failed');
  assert.match(refused.error, /'free' plan's 1000 automation runs .* are used up/);
  assert.equal((await call('GET', `/v1/customers/${customer.id}`)).body.data.notes, null, 'nothing acted');

  const byHand = await call('POST', `/v1/workflows/${workflow.body.data.id}/trigger`, { input: { n: 1 } });
  assertProblem(byHand, 429, 'quota_exceeded');
  assert.ok(Number(byHand.headers.get('retry-after')) > 0);
  const made = (await call('GET', `/v1/workflows/${workflow.body.data.id}/runs`)).body.data;
  assert.equal(made.length, 0, 'a refused start leaves no run');
});
