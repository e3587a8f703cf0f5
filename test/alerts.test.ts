// Alert rules: a rule fires once when its metric reaches the threshold (alert row, event, mail
// in the outbox), stays quiet while firing, resolves when the metric falls back, and sees only
// its own account's traffic.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { periodOf } from '../src/limits/monthly-quota.ts';
import { requestQuota } from '../src/limits/limits-services.ts';
import { alertEvaluator, requestLogWriter } from '../src/analytics/analytics-services.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

/**
 * Logs reach the table, then one evaluation round runs for this suite's accounts (only theirs:
 * suites share a database on PostgreSQL, and other suites count their events).
 */
const accountIds: string[] = [];
async function evaluate() {
  await ctx.runtime.use(requestLogWriter).flush();
  await ctx.runtime.use(requestQuota).flush();
  for (;;) {
    const report = await ctx.runtime.use(alertEvaluator).evaluate({ accountIds });
    if (report) return report;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function createRule(account: TestAccount, body: Record<string, unknown>) {
  accountIds.push(account.id);
  const res = await ctx.call('POST', '/v1/alert-rules', { key: account.key, body });
  assert.equal(res.status, 201, res.text);
  return res.body.data;
}

const getRule = async (account: TestAccount, id: string) =>
  (await ctx.call('GET', `/v1/alert-rules/${id}`, { key: account.key })).body.data;
const alertsOf = async (account: TestAccount, ruleId: string) =>
  (await ctx.call('GET', `/v1/alerts?alert_rule_id=${ruleId}`, { key: account.key })).body.data;
const eventsOf = async (account: TestAccount, type: string) =>
  (await ctx.call('GET', `/v1/events?type=${type}`, { key: account.key })).body.data;
const mailTo = (address: string) =>
  systemQuery(ctx.db, {
    sql: 'SELECT subject, text_body FROM mail_outbox WHERE $1 = ANY (to_addresses) ORDER BY created_at',
    parameters: [address],
  });

async function notFounds(account: TestAccount, n: number) {
  for (let i = 0; i < n; i++)
    assert.equal(
      (await ctx.call('GET', '/v1/customers/cus_00000000000000000000000000', { key: account.key })).status,
      404,
    );
}

describe('alert rules', () => {
  test(
    'an error-rate rule fires once when crossed, notifies, ' +
      'stays open while firing and resolves when traffic recovers',
    async () => {
      const account = await ctx.newAccount('Alerting Co');
      const admin = (
        await ctx.call('POST', '/v1/users', {
          key: account.key,
          body: { name: 'On call', email: 'oncall@alerting.example', role: 'admin' },
        })
      ).body.data;
      const rule = await createRule(account, {
        name: 'Errors above half',
        metric: 'error_rate',
        threshold: 50,
        window_minutes: 5,
        min_requests: 5,
        notify_emails: ['ops@alerting.example'],
        notify_user_ids: [admin.id],
      });
      assert.deepEqual({ state: rule.state, last_value: rule.last_value }, { state: 'ok', last_value: null });

      await notFounds(account, 8);
      await evaluate();
      const firing = await getRule(account, rule.id);
      assert.equal(firing.state, 'firing');
      assert.ok(firing.last_value >= 50, `error rate ${firing.last_value}`);
      const [alert] = await alertsOf(account, rule.id);
      assert.deepEqual(
        { status: alert.status, metric: alert.metric, threshold: alert.threshold, resolved_at: alert.resolved_at },
        { status: 'firing', metric: 'error_rate', threshold: 50, resolved_at: null },
      );
      const [triggered] = await eventsOf(account, 'alert.triggered');
      assert.equal(triggered.data.object.id, alert.id);
      const [mail] = await mailTo('ops@alerting.example');
      assert.match(mail.subject, /Alert: Errors above half/);
      assert.match(mail.text_body, new RegExp(alert.id));

      await notFounds(account, 2);
      await evaluate();
      assert.equal((await alertsOf(account, rule.id)).length, 1, 'still one alert while firing');
      assert.equal((await eventsOf(account, 'alert.triggered')).length, 1, 'and one triggered event');

      for (let i = 0; i < 40; i++)
        assert.equal((await ctx.call('GET', '/v1/customers?limit=1', { key: account.key })).status, 200);
      await evaluate();
      const recovered = await getRule(account, rule.id);
      assert.equal(recovered.state, 'ok');
      const [resolved] = await alertsOf(account, rule.id);
      assert.equal(resolved.status, 'resolved');
      assert.ok(resolved.resolved_value < 50 && resolved.peak_value >= resolved.value, JSON.stringify(resolved));
      assert.equal((await eventsOf(account, 'alert.resolved')).length, 1);
      assert.equal((await mailTo('ops@alerting.example')).length, 2, 'a mail on trigger and one on resolution');
      const inApp = (
        await ctx.call('GET', `/v1/notifications?user_id=${admin.id}&sort=created_at`, { key: account.key })
      ).body.data;
      assert.deepEqual(
        inApp.map((n: any) => [n.category, n.title, n.link, n.read]),
        [
          ['alert', 'Alert: Errors above half', `/v1/alerts/${alert.id}`, false],
          ['alert', 'Resolved: Errors above half', `/v1/alerts/${alert.id}`, false],
        ],
        'and an in-app notification for each',
      );
      assert.equal((await eventsOf(account, 'notification.created')).length, 2);
    },
  );

  test('notify_user_ids must name users of the account', async () => {
    const account = await ctx.newAccount('Typo Co');
    const other = await ctx.newAccount('Elsewhere Co');
    const stranger = (
      await ctx.call('POST', '/v1/users', {
        key: other.key,
        body: { name: 'Stranger', email: 'stranger@elsewhere.example' },
      })
    ).body.data;
    const refused = await ctx.call('POST', '/v1/alert-rules', {
      key: account.key,
      body: { name: 'x', metric: 'error_rate', threshold: 1, notify_user_ids: [stranger.id] },
    });
    assert.equal(refused.status, 422, refused.text);
    assert.deepEqual(
      refused.body.errors.map((e: any) => e.path),
      ['notify_user_ids.0'],
    );
  });

  test("a rule sees only its own account: another account's errors do not fire it", async () => {
    const quiet = await ctx.newAccount('Quiet Co');
    const noisy = await ctx.newAccount('Noisy Co');
    const rule = await createRule(quiet, { name: 'Any 404s', metric: 'error_rate', threshold: 1, min_requests: 1 });
    await notFounds(noisy, 5);
    await evaluate();
    const state = await getRule(quiet, rule.id);
    assert.equal(state.state, 'ok');
    assert.equal(state.last_value, 0, 'the quiet account made one request (the create), without error');
  });

  test('too few requests never fire a rate or latency rule (min_requests)', async () => {
    const account = await ctx.newAccount('Sparse Co');
    const rule = await createRule(account, {
      name: 'p95 at all',
      metric: 'p95_latency_ms',
      threshold: 0,
      min_requests: 30,
    });
    await evaluate();
    assert.equal((await getRule(account, rule.id)).state, 'ok');
    for (let i = 0; i < 30; i++) await ctx.call('GET', '/v1/customers?limit=1', { key: account.key });
    await evaluate();
    const fired = await getRule(account, rule.id);
    assert.equal(fired.state, 'firing');
    assert.ok(fired.last_value > 0);
  });

  test("quota_use reads the month's usage against the plan", async () => {
    const account = await ctx.newAccount('Busy Co', { plan: 'free' });
    const rule = await createRule(account, { name: 'Quota 80 %', metric: 'quota_use', threshold: 80 });
    // A month of traffic we cannot make in a test: the counter the quota keeps, set directly.
    await systemQuery(ctx.db, {
      sql:
        'INSERT INTO usage_counters (account_id, period, requests) VALUES ($1, $2, 85000) ' +
        'ON CONFLICT (account_id, period) DO UPDATE SET requests = 85000',
      parameters: [account.id, periodOf(Date.now())],
    });
    await evaluate();
    const fired = await getRule(account, rule.id);
    assert.equal(fired.state, 'firing');
    assert.ok(fired.last_value >= 85 && fired.last_value < 86, String(fired.last_value));
  });

  test('disabled and deleted rules are not evaluated; concurrent evaluations never fire twice', async () => {
    const account = await ctx.newAccount('Twice Co');
    const live = await createRule(account, {
      name: 'Any errors',
      metric: 'error_rate',
      threshold: 10,
      min_requests: 1,
    });
    const disabled = await createRule(account, {
      name: 'Off',
      metric: 'error_rate',
      threshold: 10,
      min_requests: 1,
      enabled: false,
    });
    const deleted = await createRule(account, { name: 'Gone', metric: 'error_rate', threshold: 10, min_requests: 1 });
    assert.equal((await ctx.call('DELETE', `/v1/alert-rules/${deleted.id}`, { key: account.key })).status, 200);
    await notFounds(account, 3);
    await ctx.runtime.use(requestLogWriter).flush();
    const round = () => ctx.runtime.use(alertEvaluator).evaluate({ accountIds: [account.id] });
    await Promise.all([round(), round(), round()]);
    assert.equal((await alertsOf(account, live.id)).length, 1);
    assert.equal((await alertsOf(account, disabled.id)).length, 0);
    const all = (await ctx.call('GET', '/v1/alerts', { key: account.key })).body.data;
    assert.deepEqual(
      all.map((a: any) => a.alert_rule_id),
      [live.id],
      'the deleted rule fired nothing',
    );
    assert.equal((await getRule(account, disabled.id)).last_evaluated_at, null);
  });

  test('a rule disabled or deleted while firing resolves its open alert, once', async () => {
    const account = await ctx.newAccount('Switch Off Co');
    const paused = await createRule(account, { name: 'Paused', metric: 'error_rate', threshold: 10, min_requests: 1 });
    const removed = await createRule(account, {
      name: 'Removed',
      metric: 'error_rate',
      threshold: 10,
      min_requests: 1,
      notify_emails: ['ops@switch-off.example'],
    });
    await notFounds(account, 3);
    await evaluate();
    assert.deepEqual(
      [(await alertsOf(account, paused.id))[0].status, (await alertsOf(account, removed.id))[0].status],
      ['firing', 'firing'],
    );

    assert.equal(
      (await ctx.call('PATCH', `/v1/alert-rules/${paused.id}`, { key: account.key, body: { enabled: false } })).status,
      200,
    );
    assert.equal((await ctx.call('DELETE', `/v1/alert-rules/${removed.id}`, { key: account.key })).status, 200);
    await evaluate();
    await evaluate();
    for (const rule of [paused, removed]) {
      const alerts = await alertsOf(account, rule.id);
      assert.deepEqual(
        alerts.map((a: any) => [a.status, a.resolved_value]),
        [['resolved', null]],
        rule.name,
      );
    }
    assert.equal((await getRule(account, paused.id)).state, 'ok');
    assert.equal((await eventsOf(account, 'alert.resolved')).length, 2, 'one resolution each, not one per round');
    const mails = await mailTo('ops@switch-off.example');
    assert.match(mails.at(-1)!.text_body, /Closed because its rule was deleted/);
  });

  test(
    'a rule is validated: unknown metric, ' + 'negative threshold and bad addresses are 422 naming the field',
    async () => {
      const account = await ctx.newAccount('Strict Co');
      for (const [body, path] of [
        [{ name: 'x', metric: 'cpu', threshold: 1 }, 'metric'],
        [{ name: 'x', metric: 'error_rate', threshold: -1 }, 'threshold'],
        [{ name: 'x', metric: 'error_rate', threshold: 150 }, 'threshold'],
        [{ name: 'x', metric: 'quota_use', threshold: 100.5 }, 'threshold'],
        [{ name: 'x', metric: 'error_rate', threshold: 1, notify_emails: ['not-an-address'] }, 'notify_emails.0'],
        [{ name: 'x', metric: 'error_rate', threshold: 1, window_minutes: 0 }, 'window_minutes'],
      ] as const) {
        const res = await ctx.call('POST', '/v1/alert-rules', { key: account.key, body });
        assert.equal(res.status, 422, res.text);
        assert.ok(
          res.body.errors.some((e: any) => e.path === path),
          `${path}: ${res.text}`,
        );
      }
      assert.equal((await ctx.call('GET', '/v1/alert-rules?count=true', { key: account.key })).body.page.total, 0);
    },
  );
});
