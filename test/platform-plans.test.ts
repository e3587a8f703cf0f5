// Plans as data, administered by operators (/v1/platform/plans): a plan made and changed through
// the API is what accounts on it get from their very next request; bad input and a taken name
// change nothing; every change is in the operators' audit log. (That no other caller reaches
// these routes is walked over the whole operation table by test/platform-operators.test.ts.)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { signedInOperator, type TestOperator } from './support/platform-operators.ts';
import { NOTIFY_OWNERS_EXAMPLE } from '../src/automation/rule-schema.ts';

let ctx: TestContext;
let operator: TestOperator;
const name = `pro-${randomBytes(3).toString('hex')}`;
const rates = { limit: 1000, window_seconds: 60 };
const newPlan = {
  name,
  description: 'For tests',
  features: ['automations'],
  price: { amount: 4900, currency: 'usd' },
  rates: { read: rates, write: rates, expensive: rates },
  quotas: { requests: 1_000_000, webhook_deliveries: 10_000, automation_runs: 1_000, ai_tokens: 0 },
  maxima: { automation_rules: 5 },
  public: false,
};
const rule = (n: number) => ({
  name: `Rule ${n}`,
  trigger: { type: 'event', event: 'job.completed' },
  actions: NOTIFY_OWNERS_EXAMPLE,
});

before(async () => {
  ctx = await createTestContext();
  operator = await signedInOperator(ctx);
});
after(() => ctx?.close());

const asOperator = (method: string, path: string, body?: unknown) =>
  ctx.call(method, path, { key: operator.token, body });

describe('platform plans', () => {
  test('an operator makes a private plan; it is listed for operators, not offered to accounts', async () => {
    const created = await asOperator('POST', '/v1/platform/plans', newPlan);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), `/v1/platform/plans/${name}`);
    const plan = created.body.data;
    assert.deepEqual(
      [plan.name, plan.features, plan.price, plan.maxima, plan.included, plan.public, plan.archived],
      [
        name,
        ['automations'],
        { amount: 4900, currency: 'usd', interval: 'month' },
        { members: null, automation_rules: 5, webhook_endpoints: null, integrations: null },
        { requests: 0, ai_tokens: 0 },
        false,
        false,
      ],
    );
    const listed = await asOperator('GET', '/v1/platform/plans');
    assert.equal(listed.body.data.find((p: any) => p.name === name)?.accounts, 0);
    const account = await ctx.newAccount('Offered');
    const offered = await ctx.call('GET', '/v1/plans', { key: account.key });
    assert.equal(offered.status, 200, offered.text);
    assert.ok(!offered.body.data.some((p: any) => p.name === name), 'a private plan is not offered');
  });

  test("a change to the plan reaches its accounts' next request", async () => {
    const account = await ctx.newAccount('On the plan');
    const moved = await asOperator('PATCH', `/v1/platform/accounts/${account.id}`, { plan: name });
    assert.equal(moved.status, 200, moved.text);
    const first = await ctx.call('POST', '/v1/automation-rules', { key: account.key, body: rule(1) });
    assert.equal(first.status, 201, first.text);

    const changed = await asOperator('PATCH', `/v1/platform/plans/${name}`, { features: [] });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(changed.body.data.features, []);
    const refused = await ctx.call('POST', '/v1/automation-rules', { key: account.key, body: rule(2) });
    assertProblem(refused, 403, 'feature_not_in_plan');

    const restored = await asOperator('PATCH', `/v1/platform/plans/${name}`, { features: ['automations'] });
    assert.equal(restored.status, 200, restored.text);
    const again = await ctx.call('POST', '/v1/automation-rules', { key: account.key, body: rule(3) });
    assert.equal(again.status, 201, again.text);
    const listed = await asOperator('GET', '/v1/platform/plans');
    assert.equal(listed.body.data.find((p: any) => p.name === name)?.accounts, 1);
  });

  test('bad input, a taken name and an unknown plan are refused and change nothing', async () => {
    const before = (await asOperator('GET', '/v1/platform/plans')).body.data;
    assertProblem(await asOperator('POST', '/v1/platform/plans', newPlan), 409, 'conflict');
    const badCreates = [
      { ...newPlan, name: 'Has Spaces' },
      { ...newPlan, name: `${name}-x`, price: { amount: -1, currency: 'usd' } },
      { ...newPlan, name: `${name}-y`, price: { amount: 100, currency: 'dollars' } },
      { ...newPlan, name: `${name}-z`, features: ['teleportation'] },
      { ...newPlan, name: `${name}-w`, surprise: true },
      { name: `${name}-v` },
    ];
    for (const body of badCreates)
      assertProblem(await asOperator('POST', '/v1/platform/plans', body), 422, 'validation_failed');
    for (const body of [{ rates: { read: { limit: 0, window_seconds: 60 } } }, { name: 'renamed' }, { public: 'yes' }])
      assertProblem(await asOperator('PATCH', `/v1/platform/plans/${name}`, body), 422, 'validation_failed');
    assertProblem(await asOperator('PATCH', '/v1/platform/plans/no-such-plan', { public: true }), 404, 'not_found');
    assert.deepEqual((await asOperator('GET', '/v1/platform/plans')).body.data, before);
  });

  test("every change is in the operators' audit log", async () => {
    const log = await asOperator('GET', '/v1/platform/audit-log?limit=100');
    assert.equal(log.status, 200, log.text);
    const actions = log.body.data
      .filter((entry: any) => entry.operator_email === operator.email)
      .map((e: any) => e.action);
    assert.deepEqual(actions.filter((action: string) => action.startsWith('plan.')).sort(), [
      'plan.created',
      'plan.updated',
      'plan.updated',
    ]);
  });
});
