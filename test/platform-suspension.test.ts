// Suspending an account through the platform routes: each of its credentials (API key, member
// session, OAuth token, customer portal session) gets 403 account_suspended on the very next
// request while another account is unaffected; its data is untouched; webhook deliveries,
// automation runs, schedules and campaign sending wait and go on once after resume. PATCH refuses
// bad input and changes nothing. Every operator action is in the operators' audit log.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertProblem, json } from './support/problem-assertions.ts';
import { signedInOperator, type TestOperator } from './support/platform-operators.ts';
import { tenantCredentials, type TenantCredentials } from './support/tenant-credentials.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';
import { withTenantTransaction } from '../src/db/tenant-transaction.ts';
import { createOperationContext } from '../src/platform/operations/operation-context.ts';
import { accountPrincipal } from '../src/platform/operations/principal.ts';
import { insertValidated } from '../src/platform/operations/create.ts';
import { accountStatusOf } from '../src/platform-admin/account-status.ts';
import { systemQuery } from '../src/db/system-query.ts';
import pino from 'pino';
import { AutomationEngine } from '../src/automation/automation-engine.ts';
import { campaignSending } from '../src/domain/campaign-sender.ts';
import { mailRelay } from '../src/mail/mail-module.ts';
import { queueMailStatement } from '../src/mail/mail-outbox.ts';

let ctx: TestContext;
let operator: TestOperator;
let tenant: TenantCredentials;
let ownerKey: string;
let other: TestAccount;
let target: { url: string; received: string[]; server: Server };

before(async () => {
  ctx = await createTestContext({ webhooks: { allowPrivate: true, timeoutMs: 5_000 } });
  operator = await signedInOperator(ctx);
  tenant = await tenantCredentials(ctx, 'Suspended');
  ownerKey = await ctx.newKey(tenant.accountId, ['read:*', 'write:*']);
  other = await ctx.newAccount('Unaffected Co');
  const received: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString());
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received, server };
});
after(async () => {
  target.server.closeAllConnections();
  await new Promise<void>((resolve) => target.server.close(() => resolve()));
  await ctx.close();
});

const asOperator = (method: string, path: string, body?: unknown) =>
  ctx.call(method, path, { key: operator.token, body });

/** One request with each credential of the suspended-to-be account: its statuses, in order. */
async function tenantStatuses() {
  const responses = [
    await ctx.call('GET', '/v1/customers', { key: ownerKey }),
    await ctx.call('GET', '/v1/customers', { headers: { cookie: tenant.memberCookie } }),
    await ctx.call('GET', '/v1/customers', { key: tenant.memberToken }),
    await ctx.call('GET', '/v1/customers', { key: tenant.oauthToken }),
    await ctx.call('GET', '/v1/customer/me', { key: tenant.customerToken }),
  ];
  return responses;
}

const drain = () => ctx.runtime.use(webhookDelivery).drain({ accountIds: [tenant.accountId] });

async function receivedAtLeast(count: number) {
  for (let waited = 0; target.received.length < count && waited < 5_000; waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('suspend and resume', () => {
  test('each credential: 200, then 403 account_suspended at once after suspend, then 200 after resume', async () => {
    for (const res of await tenantStatuses()) assert.equal(res.status, 200, res.text);
    const endpoint = await ctx.call('POST', '/v1/webhook-endpoints', {
      key: ownerKey,
      body: { url: target.url, enabled_events: ['customer.created'] },
    });
    assert.equal(endpoint.status, 201, endpoint.text);
    // Queued before the suspension, not yet sent.
    const queued = await ctx.call('POST', '/v1/customers', { key: ownerKey, body: { name: 'Queued before' } });
    assert.equal(queued.status, 201, queued.text);
    const customersBefore = (await ctx.call('GET', '/v1/customers?limit=100', { key: ownerKey })).body.data;

    const suspended = await asOperator('POST', `/v1/platform/accounts/${tenant.accountId}/suspend`, {
      reason: 'unpaid invoices',
    });
    assert.equal(suspended.status, 200, suspended.text);
    assert.equal(suspended.body.data.status, 'suspended');
    assert.equal(await accountStatusOf(ctx.db, tenant.accountId), 'suspended');

    for (const res of await tenantStatuses()) {
      const problem = assertProblem(res, 403, 'account_suspended');
      assert.equal(problem.account_status, 'suspended');
    }
    assertProblem(
      await ctx.call('POST', '/v1/customers', { key: ownerKey, body: { name: 'x' } }),
      403,
      'account_suspended',
    );
    assert.equal(
      (await ctx.call('GET', '/v1/customers', { key: other.key })).status,
      200,
      'another account is unaffected',
    );

    // The account's own background work still records events; none is delivered while suspended.
    await withTenantTransaction(ctx.db, tenant.accountId, (tx) =>
      insertValidated(
        createOperationContext(tx, accountPrincipal(tenant.accountId), ctx.runtime),
        ctx.registry.get('customers'),
        {
          name: 'Made while suspended',
        },
      ),
    );
    assert.equal(await drain(), 0, 'deliveries wait while the account is suspended');
    assert.equal(target.received.length, 0);
    assertProblem(
      await asOperator('POST', `/v1/platform/accounts/${tenant.accountId}/suspend`, {}),
      409,
      'invalid_state_transition',
    );

    const resumed = await asOperator('POST', `/v1/platform/accounts/${tenant.accountId}/resume`, {});
    assert.equal(resumed.status, 200, resumed.text);
    for (const res of await tenantStatuses()) assert.equal(res.status, 200, res.text);
    const customersAfter = (await ctx.call('GET', '/v1/customers?limit=100', { key: ownerKey })).body.data;
    assert.deepEqual(
      customersAfter.filter((c: any) => c.name !== 'Made while suspended'),
      customersBefore,
      'the data is untouched',
    );

    // The account's own trail shows what the operator did to it, with the operator as the actor.
    const trail = await ctx.call('GET', '/v1/audit-log?actor_type=operator&limit=10', { key: ownerKey });
    assert.equal(trail.status, 200, trail.text);
    const [resumedEntry, suspendedEntry] = trail.body.data;
    assert.deepEqual([resumedEntry.action, suspendedEntry.action], ['account.active', 'account.suspended']);
    assert.equal(suspendedEntry.resource_id, tenant.accountId);
    assert.deepEqual(suspendedEntry.changes.status, { from: 'active', to: 'suspended' });
    assert.equal(suspendedEntry.changes.reason, 'unpaid invoices');

    assert.equal(await drain(), 2, 'the held deliveries go out after resume');
    await receivedAtLeast(2);
    assert.equal(await drain(), 0, 'once each');
    assert.deepEqual(target.received.map((body) => JSON.parse(body).data.object.name).sort(), [
      'Made while suspended',
      'Queued before',
    ]);
  });

  test('a suspended account is listed by status; the audit log holds each action with its operator', async () => {
    const account = await ctx.newAccount('Audited Co');
    await asOperator('POST', `/v1/platform/accounts/${account.id}/suspend`, { reason: 'abuse report' });
    const listed = await asOperator('GET', '/v1/platform/accounts?status=suspended&limit=100');
    assert.equal(listed.status, 200, listed.text);
    assert.ok(listed.body.data.some((a: any) => a.id === account.id));
    assert.ok(listed.body.data.every((a: any) => a.status === 'suspended'));
    await asOperator('POST', `/v1/platform/accounts/${account.id}/resume`, {});
    const log = await asOperator('GET', `/v1/platform/audit-log?account_id=${account.id}`);
    assert.equal(log.status, 200, log.text);
    assert.deepEqual(
      log.body.data.map((e: any) => e.action),
      ['account.active', 'account.suspended'],
    );
    const [, suspension] = log.body.data;
    assert.equal(suspension.operator_email, operator.email);
    assert.deepEqual(suspension.summary, {
      before: { status: 'active' },
      after: { status: 'suspended' },
      reason: 'abuse report',
    });
  });
});

describe("a suspended account's own work", () => {
  test('automation runs, schedules, campaigns and queued mail wait while suspended, then go on once', async () => {
    const quiet = await ctx.newAccount('Quiet Co');
    const { call, created } = accountClient(
      () => ctx,
      () => quiet,
    );
    const ticketsTitled = async (prefix: string) =>
      ((await call('GET', '/v1/tickets?limit=100')).body.data as any[]).filter((t) => t.subject.startsWith(prefix));
    const runsOf = async (ruleId: string) =>
      (await call('GET', `/v1/automation-rules/${ruleId}/runs?limit=100`)).body.data as any[];
    const ticketAction = (subject: string) => [{ type: 'create_record', collection: 'tickets', fields: { subject } }];
    const welcome = await created('automation-rules', {
      name: 'Welcome',
      trigger: { type: 'event', event: 'customer.created' },
      actions: ticketAction('Welcome {{object.name}}'),
    });
    const hourly = await created('automation-rules', {
      name: 'Hourly',
      trigger: { type: 'schedule', cron: '0 * * * *' },
      actions: ticketAction('Hourly {{event.id}}'),
    });
    let clock = Date.parse(hourly.next_run_at) - 60_000;
    const engine = new AutomationEngine(ctx.runtime, pino({ level: 'silent' }), {
      accountIds: [quiet.id],
      now: () => clock,
    });
    const template = await created('email-templates', { name: 'News', subject: 'News', text_body: 'Hello' });
    const contact = await created('contacts', { first_name: 'Reader', email: `reader-${quiet.id}@example.test` });
    const campaign = await created('campaigns', { name: 'News', template_id: template.id });
    assert.equal(
      (await call('POST', `/v1/campaigns/${campaign.id}/recipients`, { contact_ids: [contact.id] })).status,
      200,
    );
    assert.equal((await call('POST', `/v1/campaigns/${campaign.id}/send`)).status, 202);
    await created('customers', { name: 'Ada' });
    await systemQuery(
      ctx.db,
      queueMailStatement({ accountId: quiet.id, to: ['ada@example.test'], subject: 'Hi', text: 'Hi' }),
    );
    const deliverMail = () => ctx.runtime.use(mailRelay).deliver(Date.now(), [quiet.id]);

    await asOperator('POST', `/v1/platform/accounts/${quiet.id}/suspend`, { reason: 'abuse report' });
    clock += 3 * 3_600_000; // three hourly moments pass while suspended
    await engine.settle();
    const sendDue = () => ctx.runtime.use(campaignSending).sendDue({ accountIds: [quiet.id] });
    assert.equal(await sendDue(), 0, 'no campaign mail while suspended');
    assert.equal(await deliverMail(), 0, 'queued mail waits');
    const [{ n: runsBefore }] = await systemQuery(ctx.db, {
      sql: `SELECT count(*)::int AS n FROM automation_runs WHERE account_id = $1 AND status NOT IN ('queued')`,
      parameters: [quiet.id],
    });
    assert.equal(runsBefore, 0, 'no run advanced and no schedule fired while suspended');

    await asOperator('POST', `/v1/platform/accounts/${quiet.id}/resume`, {});
    await engine.settle();
    assert.deepEqual(
      (await ticketsTitled('Welcome')).map((t) => t.subject),
      ['Welcome Ada'],
      'the held run acts after resume',
    );
    assert.equal((await runsOf(welcome.id)).length, 1);
    assert.equal((await runsOf(hourly.id)).length, 1, 'the missed schedule fires once, not once per hour missed');
    assert.equal((await ticketsTitled('Hourly')).length, 1);
    assert.equal(await deliverMail(), 1, 'the queued mail goes');
    assert.equal(await sendDue(), 1, 'the campaign goes on');
    assert.equal((await call('GET', `/v1/campaigns/${campaign.id}`)).body.data.status, 'sent');
  });
});

describe('accounts administration', () => {
  test('create answers the owner key once; get, list with paging, patch name, plan and limits', async () => {
    const created = await asOperator('POST', '/v1/platform/accounts', { name: 'Made by ops', plan: 'free' });
    assert.equal(created.status, 201, created.text);
    const { account, api_key: key } = created.body.data;
    assert.equal(created.headers.get('location'), `/v1/platform/accounts/${account.id}`);
    assert.equal((await ctx.call('GET', '/v1/customers', { key })).status, 200, 'the owner key works');
    assert.deepEqual((await asOperator('GET', `/v1/platform/accounts/${account.id}`)).body.data, account);

    const patched = await asOperator('PATCH', `/v1/platform/accounts/${account.id}`, {
      name: 'Renamed',
      plan: 'standard',
      limits: { rates: { read: { limit: 50, window_seconds: 60 } }, monthly_requests: 1000 },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.data.name, 'Renamed');
    assert.equal(patched.body.data.plan, 'standard');
    assert.equal(patched.body.data.limits.monthly_requests, 1000);
    const [entry] = (await asOperator('GET', `/v1/platform/audit-log?account_id=${account.id}&action=account.updated`))
      .body.data;
    assert.deepEqual(entry.summary.before, { name: 'Made by ops', plan: 'free', limits: null });

    const first = await asOperator('GET', '/v1/platform/accounts?limit=2');
    assert.equal(first.body.data.length, 2);
    assert.equal(first.body.page.has_more, true);
    const second = await asOperator('GET', `/v1/platform/accounts?limit=2&cursor=${first.body.page.next_cursor}`);
    assert.equal(second.status, 200, second.text);
    const ids = [...first.body.data, ...second.body.data].map((a: any) => a.id);
    assert.equal(new Set(ids).size, ids.length, 'pages do not overlap');
    // Newest first (other suites may be making accounts in the same database meanwhile).
    const order = [...first.body.data, ...second.body.data].map((a: any) => `${a.created_at} ${a.id}`);
    assert.deepEqual(order, [...order].sort().reverse(), 'newest first');
  });

  test("limit overrides replace the plan's for the account's credentials at once; null restores the plan", async () => {
    const account = await ctx.newAccount('Limited Co');
    const reads = async (n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) statuses.push((await ctx.call('GET', '/v1/customers', { key: account.key })).status);
      return statuses;
    };
    assert.deepEqual(await reads(3), [200, 200, 200]);
    const limited = await asOperator('PATCH', `/v1/platform/accounts/${account.id}`, {
      limits: { rates: { read: { limit: 4, window_seconds: 3600 } } },
    });
    assert.equal(limited.status, 200, limited.text);
    const after = await ctx.call('GET', '/v1/customers', { key: account.key });
    assert.match(after.headers.get('ratelimit-policy') ?? '', /q=4;w=3600/);
    const statuses = await reads(5);
    assert.ok(statuses.includes(429), `the override's 4 reads an hour apply: ${statuses}`);
    await asOperator('PATCH', `/v1/platform/accounts/${account.id}`, { limits: null });
    const restored = await ctx.call('GET', '/v1/customers', { key: account.key });
    assert.equal(restored.status, 200, restored.text);
  });

  test('bad input is refused with a problem and changes nothing', async () => {
    const account = await ctx.newAccount('Untouched Co');
    const path = `/v1/platform/accounts/${account.id}`;
    const before = (await asOperator('GET', path)).body.data;
    const refusals: [unknown, number, string][] = [
      [{ status: 'deleted' }, 422, 'validation_failed'],
      [{ plan: 'platinum' }, 422, 'validation_failed'],
      [{ name: '' }, 422, 'validation_failed'],
      [{ limits: { rates: { read: { limit: -1, window_seconds: 60 } } } }, 422, 'validation_failed'],
      [{ limits: { monthly_requests: 1e12 } }, 422, 'validation_failed'],
      [{ limits: { surprise: 1 } }, 422, 'validation_failed'],
      [{ id: 'acct_other' }, 422, 'validation_failed'],
      [{ name: 'ok', account_id: 'x' }, 422, 'validation_failed'],
    ];
    for (const [body, status, code] of refusals) assertProblem(await asOperator('PATCH', path, body), status, code);
    assertProblem(await ctx.call('PATCH', path, { key: operator.token, ...json('{"name": ') }), 400, 'bad_request');
    assertProblem(await asOperator('GET', '/v1/platform/accounts/acct_nothing'), 404, 'not_found');
    assertProblem(await asOperator('GET', '/v1/platform/accounts?limit=1000'), 400, 'bad_request');
    assertProblem(await asOperator('GET', '/v1/platform/accounts?cursor=nonsense'), 400, 'bad_request');
    assert.deepEqual((await asOperator('GET', path)).body.data, before);
    const log = await asOperator('GET', `/v1/platform/audit-log?account_id=${account.id}`);
    assert.equal(log.body.data.length, 0, 'nothing was done, nothing is logged');
  });

  test('usage lists each account for a month with its allowance', async () => {
    const usage = await asOperator('GET', '/v1/platform/usage?limit=100');
    assert.equal(usage.status, 200, usage.text);
    const mine = usage.body.data.find((u: any) => u.id === tenant.accountId);
    assert.ok(mine, 'the account is listed');
    assert.equal(typeof mine.used.requests, 'number');
    assert.ok(mine.included.requests > 0);
    assertProblem(await asOperator('GET', '/v1/platform/usage?month=2026-13'), 400, 'bad_request');
    // What the quota counters flushed for a month (src/limits/monthly-quota.ts), read back per account.
    const counted = await ctx.newAccount('Counted Co');
    await systemQuery(ctx.db, {
      sql: `INSERT INTO usage_counters (account_id, period, requests, webhook_deliveries, automation_runs, ai_tokens)
            VALUES ($1, '2001-01', 7, 3, 2, 1234)`,
      parameters: [counted.id],
    });
    const past = await asOperator('GET', '/v1/platform/usage?month=2001-01&limit=5');
    const row = past.body.data.find((u: any) => u.id === counted.id);
    assert.deepEqual(row.used, { requests: 7, webhook_deliveries: 3, automation_runs: 2, ai_tokens: 1234 });
    assert.ok(past.body.data.every((u: any) => u.month === '2001-01'));
    assert.ok(past.body.data.filter((u: any) => u.id !== counted.id).every((u: any) => u.used.requests === 0));
  });
});
