// Plans and billing: plans read from the plans table, an owner's plan change applying to the very
// next request, a downgrade the account does not fit refused (409, what to remove, nothing
// changed), capabilities a plan leaves out refused at their entry points (403), and each month's
// usage and invoice computed with exact amounts when Stripe Billing is not configured.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { signUp, memberWithRole } from './support/members.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { periodOf } from '../src/limits/monthly-quota.ts';
import { NOTIFY_OWNERS_EXAMPLE } from '../src/automation/rule-schema.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

const rule = (n: number) => ({
  name: `Rule ${n}`,
  trigger: { type: 'event', event: 'job.completed' },
  actions: NOTIFY_OWNERS_EXAMPLE,
});

async function planOf(accountId: string): Promise<string> {
  const [row] = await systemQuery(ctx.db, { sql: 'SELECT plan FROM accounts WHERE id = $1', parameters: [accountId] });
  return row.plan;
}

/** A plan made as an operator would, with no capabilities: what the feature gates refuse. */
async function bareplan(name: string) {
  await systemQuery(ctx.db, {
    sql: `INSERT INTO plans (id, name, features, rates, monthly_requests, monthly_webhook_deliveries,
            monthly_automation_runs, monthly_ai_tokens, price_amount, currency, included_requests, included_ai_tokens)
          SELECT 'plan_' || $1, $1, '{}', rates, monthly_requests, monthly_webhook_deliveries, monthly_automation_runs,
                 monthly_ai_tokens, 900, 'usd', included_requests, included_ai_tokens FROM plans WHERE name = 'free'`,
    parameters: [name],
  });
}

describe('plans as data', () => {
  test('GET /v1/plans lists the seeded plans, cheapest first, with price, features and overage', async () => {
    const account = await ctx.newAccount();
    const res = await ctx.call('GET', '/v1/plans', { key: account.key });
    assert.equal(res.status, 200, res.text);
    // Operators may add plans (other suites sharing a PostgreSQL database do): the seeded ones keep their order.
    const seeded = ['free', 'standard', 'enterprise'];
    const names = res.body.data.map((p: any) => p.name);
    assert.deepEqual(
      names.filter((name: string) => seeded.includes(name)),
      seeded,
    );
    const prices = res.body.data.map((p: any) => p.price.amount);
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
      'cheapest first',
    );
    const standard = res.body.data.find((p: any) => p.name === 'standard');
    assert.deepEqual(standard.price, { amount: 4900, currency: 'usd', interval: 'month' });
    assert.deepEqual(standard.features, ['automations', 'ai', 'integrations', 'customer_portal']);
    assert.deepEqual(standard.overage, { per_1000_requests: 10, per_1000_ai_tokens: 2 });
    assert.deepEqual(standard.rates.read, { limit: 6000, window_seconds: 60 });
    const free = res.body.data.find((p: any) => p.name === 'free');
    assert.equal(free.maxima.automation_rules, 5);
    assert.equal(free.features.includes('integrations'), false);
  });

  test("a credential's rates come from the plans row", async () => {
    const account = await ctx.newAccount('Edited', { plan: 'enterprise' });
    await systemQuery(ctx.db, {
      sql: `UPDATE plans SET rates = jsonb_set(rates, '{read,limit}', '61234') WHERE name = 'enterprise'`,
      parameters: [],
    });
    try {
      const res = await ctx.call('GET', '/v1/customers', { key: account.key });
      assert.equal(res.headers.get('ratelimit-policy'), '"read";q=61234;w=60');
    } finally {
      await systemQuery(ctx.db, {
        sql: `UPDATE plans SET rates = jsonb_set(rates, '{read,limit}', '60000') WHERE name = 'enterprise'`,
        parameters: [],
      });
    }
  });
});

describe('changing plan', () => {
  test("an owner's change applies to the next request: rates, quota and subscription", async () => {
    const owner = await signUp(ctx, 'Olga');
    const key = await ctx.newKey(owner.accountId, ['read:*']);
    const before = await ctx.call('GET', '/v1/customers', { key });
    assert.equal(before.headers.get('ratelimit-policy'), '"read";q=6000;w=60');

    const changed = await ctx.call('POST', '/v1/account/subscription', {
      headers: { cookie: owner.cookie },
      body: { plan: 'free' },
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.data.plan.name, 'free');
    assert.equal(changed.body.data.status, 'active');
    assert.equal(changed.body.data.billing, 'not_charged');

    const after = await ctx.call('GET', '/v1/customers', { key });
    assert.equal(after.headers.get('ratelimit-policy'), '"read";q=600;w=60');
    const limits = await ctx.call('GET', '/v1/rate-limit', { key });
    assert.equal(limits.body.data.quota.requests_limit, 100_000);
    const subscription = await ctx.call('GET', '/v1/billing/subscription', { headers: { cookie: owner.cookie } });
    assert.equal(subscription.body.data.plan.name, 'free');
    const [change] = await systemQuery(ctx.db, {
      sql: 'SELECT from_plan, to_plan FROM plan_changes WHERE account_id = $1',
      parameters: [owner.accountId],
    });
    assert.deepEqual({ ...change }, { from_plan: 'standard', to_plan: 'free' });
  });

  test('members other than owners get 403; a key needs write:billing', async () => {
    const owner = await signUp(ctx, 'Omar');
    const admin = await memberWithRole(ctx, owner.cookie, 'admin', 'ada');
    const refused = await ctx.call('POST', '/v1/account/subscription', {
      headers: { cookie: admin.cookie },
      body: { plan: 'enterprise' },
    });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 'forbidden');
    const reader = await ctx.newKey(owner.accountId, ['read:*']);
    const scoped = await ctx.call('POST', '/v1/account/subscription', { key: reader, body: { plan: 'enterprise' } });
    assert.equal(scoped.status, 403);
    assert.equal(scoped.body.required_scope, 'write:billing');
    assert.equal(await planOf(owner.accountId), 'standard');
    const billingKey = await ctx.newKey(owner.accountId, ['write:billing']);
    const ok = await ctx.call('POST', '/v1/account/subscription', { key: billingKey, body: { plan: 'enterprise' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(await planOf(owner.accountId), 'enterprise');
  });

  test('a downgrade the account does not fit: 409 naming what to remove, nothing changed', async () => {
    const account = await ctx.newAccount('Busy');
    for (let n = 1; n <= 6; n++) {
      const created = await ctx.call('POST', '/v1/automation-rules', { key: account.key, body: rule(n) });
      assert.equal(created.status, 201, created.text);
    }
    for (let n = 1; n <= 3; n++) {
      const created = await ctx.call('POST', '/v1/webhook-endpoints', {
        key: account.key,
        body: { url: `http://127.0.0.1:9/hook${n}`, enabled_events: ['job.completed'] },
      });
      assert.equal(created.status, 201, created.text);
    }
    const res = await ctx.call('POST', '/v1/account/subscription', { key: account.key, body: { plan: 'free' } });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.code, 'plan_limits_exceeded');
    assert.equal(res.body.plan, 'free');
    assert.deepEqual(res.body.remove, [
      { collection: 'automation-rules', count: 6, allowed: 5, remove: 1 },
      { collection: 'webhook-endpoints', count: 3, allowed: 2, remove: 1 },
    ]);
    assert.match(res.body.detail, /Remove 1 of 6 automation rules: the free plan allows 5/);
    assert.equal(await planOf(account.id), 'standard');
    const changes = await systemQuery(ctx.db, {
      sql: 'SELECT 1 FROM plan_changes WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.equal(changes.length, 0);
  });

  test('a plan that leaves out a capability in use names it; unknown and archived plans are 422', async () => {
    await bareplan('bare_in_use');
    const account = await ctx.newAccount('Automated');
    await ctx.call('POST', '/v1/automation-rules', { key: account.key, body: rule(1) });
    const res = await ctx.call('POST', '/v1/account/subscription', { key: account.key, body: { plan: 'bare_in_use' } });
    assert.equal(res.status, 409, res.text);
    assert.deepEqual(res.body.remove, [
      { collection: 'automation-rules', count: 1, allowed: 0, remove: 1, feature: 'automations' },
    ]);
    for (const body of [{ plan: 'platinum' }, { plan: 5 }, { plan: 'free', extra: true }, {}]) {
      const bad = await ctx.call('POST', '/v1/account/subscription', { key: account.key, body });
      assert.equal(bad.status, 422, `${JSON.stringify(body)}: ${bad.text}`);
      assert.equal(bad.body.code, 'validation_failed');
    }
    await systemQuery(ctx.db, { sql: `UPDATE plans SET archived = true WHERE name = 'bare_in_use'`, parameters: [] });
    const archived = await ctx.call('POST', '/v1/account/subscription', {
      key: account.key,
      body: { plan: 'bare_in_use' },
    });
    assert.equal(archived.status, 422);
    assert.match(archived.body.detail, /archived/);
    assert.equal(await planOf(account.id), 'standard');
  });
});

describe('feature gates', () => {
  test('a capability the plan leaves out: 403 feature_not_in_plan at its entry points, nothing made', async () => {
    await bareplan('bare');
    const account = await ctx.newAccount('Bare');
    const moved = await ctx.call('POST', '/v1/account/subscription', { key: account.key, body: { plan: 'bare' } });
    assert.equal(moved.status, 200, moved.text);
    const refusals = [
      ['POST', '/v1/automation-rules', rule(1), 'automations'],
      ['POST', '/v1/workflows', { name: 'W', steps: [] }, 'automations'],
      ['GET', '/v1/integrations/gmail/authorize', undefined, 'integrations'],
      ['POST', '/v1/voice-commands', { text: 'list customers' }, 'ai'],
    ] as const;
    for (const [method, path, body, feature] of refusals) {
      const res = await ctx.call(method, path, { key: account.key, body });
      assert.equal(res.status, 403, `${path}: ${res.text}`);
      assert.equal(res.body.code, 'feature_not_in_plan');
      assert.equal(res.body.plan, 'bare');
      assert.equal(res.body.feature, feature);
      assert.match(res.body.detail, new RegExp(`The bare plan does not include ${feature}`));
    }
    const rules = await systemQuery(ctx.db, {
      sql: 'SELECT 1 FROM automation_rules WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.equal(rules.length, 0);
    // Reading stays open: the gate is at the entry points.
    assert.equal((await ctx.call('GET', '/v1/automation-rules', { key: account.key })).status, 200);
  });
});

describe('usage and invoices without Stripe', () => {
  test('a month is billed at the plan in force at its end: price plus overage per started 1,000', async () => {
    const account = await ctx.newAccount('Metered');
    const now = new Date();
    const last = periodOf(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));
    const before = periodOf(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 15));
    await systemQuery(ctx.db, {
      sql: `INSERT INTO usage_counters (account_id, period, requests, ai_tokens)
            VALUES ($1, $2, 1234567, 5000001), ($1, $3, 999, 10)`,
      parameters: [account.id, last, before],
    });
    const res = await ctx.call('GET', `/v1/billing/usage?period=${last}`, { key: account.key });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.data, {
      object: 'usage_statement',
      period: last,
      plan: 'standard',
      currency: 'usd',
      base_amount: 4900,
      // 234,567 beyond 1,000,000: 235 started thousands at 10.
      requests: { used: 1234567, included: 1000000, billable_units: 235, unit_amount: 10, amount: 2350 },
      // 1 beyond 5,000,000: one started thousand at 2.
      ai_tokens: { used: 5000001, included: 5000000, billable_units: 1, unit_amount: 2, amount: 2 },
      total_amount: 7252,
      charged: false,
    });

    // Moving to free now: last month stays billed at standard, this month at free.
    const moved = await ctx.call('POST', '/v1/account/subscription', { key: account.key, body: { plan: 'free' } });
    assert.equal(moved.status, 200, moved.text);
    const invoices = await ctx.call('GET', '/v1/billing/invoices', { key: account.key });
    assert.equal(invoices.status, 200, invoices.text);
    const summary = invoices.body.data.map((i: any) => [i.period, i.status, i.total_amount, i.lines[0].description]);
    assert.deepEqual(summary, [
      [periodOf(now.getTime()), 'upcoming', 0, `free plan, ${periodOf(now.getTime())}`],
      [last, 'not_charged', 7252, `standard plan, ${last}`],
      [before, 'not_charged', 4900, `standard plan, ${before}`],
    ]);
    assert.equal(invoices.body.data[1].id, `cinv_${last.replace('-', '')}`);
  });

  test('bad periods are 400; another account sees only its own', async () => {
    const account = await ctx.newAccount('Periods');
    for (const period of ['2026-13', 'last', '9999-01']) {
      const res = await ctx.call('GET', `/v1/billing/usage?period=${period}`, { key: account.key });
      assert.equal(res.status, 400, `${period}: ${res.text}`);
    }
    const other = await ctx.newAccount('Other');
    const usage = await ctx.call('GET', '/v1/billing/usage', { key: other.key });
    assert.equal(usage.body.data.requests.used, 0);
  });
});
