// Test mode (README "Test mode"): a test key acts in its account's sandbox, a separate account,
// so nothing made with it is visible to a live key and the other way round; events and webhook
// payloads say `livemode`; the sandbox's mail and texts reach no provider (the local SMTP server
// and the local Twilio-like server receive nothing) and are recorded as `simulated`, while the
// live account's reach them.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { startSmtpInbox, type SmtpInbox } from './support/smtp-inbox.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { prepareApiKey } from '../src/auth/api-keys.ts';
import { OWNER_SCOPES } from '../src/auth/accounts.ts';
import { systemQuery, systemTransaction } from '../src/db/system-query.ts';
import { mailRelay } from '../src/mail/mail-module.ts';
import { smsRelay } from '../src/delivery/delivery-module.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';
import { signedInOperator } from './support/platform-operators.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';

/** A provider speaking Twilio's Messages API on 127.0.0.1; `texts` is what reached it. */
const texts: { to: string; body: string }[] = [];
/** A webhook receiver on 127.0.0.1; `hooks` is every payload it received. */
const hooks: any[] = [];
let twilio: Server;
let receiver: Server;
let smtp: SmtpInbox;
let ctx: TestContext;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

const bodyOf = (request: import('node:http').IncomingMessage) =>
  new Promise<string>((resolve) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => resolve(raw));
  });

before(async () => {
  twilio = createServer(async (request, response) => {
    const form = new URLSearchParams(await bodyOf(request));
    texts.push({ to: form.get('To') ?? '', body: form.get('Body') ?? '' });
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ sid: `SM${String(texts.length).padStart(32, '0')}`, status: 'queued' }));
  });
  receiver = createServer(async (request, response) => {
    hooks.push(JSON.parse(await bodyOf(request)));
    response.writeHead(200).end('ok');
  });
  smtp = await startSmtpInbox();
  ctx = await createTestContext({
    sms: { url: await listen(twilio), accountSid: SID, authToken: 'test-auth-token', from: '+15005550006' },
    smtp: { url: smtp.url, from: 'Fieldline <mail@fieldline.test>' },
  });
  await listen(receiver);
});
after(async () => {
  await ctx.close();
  await smtp.close();
  twilio.close();
  receiver.close();
});

/** An account with a live key (as every suite's) and a test key of the same account. */
async function accountWithTestKey(name: string) {
  const live = await ctx.newAccount(name);
  const made = prepareApiKey({ accountId: live.id, name: 'Test key', mode: 'test', scopes: OWNER_SCOPES });
  await systemTransaction(ctx.db, made.statements);
  return { id: live.id, live: live.key, test: made.secret };
}

const call = (key: string, method: string, path: string, body?: unknown) => ctx.call(method, path, { key, body });
const created = async (key: string, collection: string, body: Record<string, unknown>) => {
  const response = await call(key, 'POST', `/v1/${collection}`, body);
  assert.equal(response.status, 201, response.text);
  return response.body.data as Record<string, any>;
};

describe('test mode', () => {
  test('objects made in one mode are 404 to the other mode and never listed by it', async () => {
    const acct = await accountWithTestKey('Two Modes Co');
    const testCustomer = await created(acct.test, 'customers', { name: 'Made in test mode' });
    const liveCustomer = await created(acct.live, 'customers', { name: 'Made in live mode' });

    assertProblem(await call(acct.live, 'GET', `/v1/customers/${testCustomer.id}`), 404, 'not_found');
    assertProblem(await call(acct.test, 'GET', `/v1/customers/${liveCustomer.id}`), 404, 'not_found');
    assertProblem(
      await call(acct.test, 'PATCH', `/v1/customers/${liveCustomer.id}`, { name: 'Changed from test mode' }),
      404,
      'not_found',
    );
    assert.equal(
      (await call(acct.live, 'GET', `/v1/customers/${liveCustomer.id}`)).body.data.name,
      'Made in live mode',
    );

    const liveList = (await call(acct.live, 'GET', '/v1/customers?limit=100')).body.data.map((c: any) => c.id);
    const testList = (await call(acct.test, 'GET', '/v1/customers?limit=100')).body.data.map((c: any) => c.id);
    assert.deepEqual(liveList, [liveCustomer.id]);
    assert.deepEqual(testList, [testCustomer.id]);

    // The account each mode reads: the sandbox is another account, linked to the live one.
    const liveAccount = (await call(acct.live, 'GET', '/v1/account')).body.data;
    const testAccount = (await call(acct.test, 'GET', '/v1/account')).body.data;
    assert.equal(liveAccount.id, acct.id);
    assert.equal(liveAccount.livemode, true);
    assert.equal(testAccount.livemode, false);
    assert.notEqual(testAccount.id, acct.id);
    assert.equal(testAccount.plan, liveAccount.plan, 'the sandbox has the live plan');
    const [link] = await systemQuery(ctx.db, {
      sql: 'SELECT sandbox_of FROM accounts WHERE id = $1',
      parameters: [testAccount.id],
    });
    assert.equal(link.sandbox_of, acct.id);

    // A second test key of the same account reaches the same sandbox (made once).
    const another = prepareApiKey({ accountId: acct.id, name: 'Second', mode: 'test', scopes: OWNER_SCOPES });
    await systemTransaction(ctx.db, another.statements);
    assert.equal((await call(another.secret, 'GET', '/v1/account')).body.data.id, testAccount.id);
  });

  test("another account's test key reaches neither this account nor its sandbox", async () => {
    const mine = await accountWithTestKey('Mine Co');
    const theirs = await accountWithTestKey('Theirs Co');
    const mineTest = await created(mine.test, 'customers', { name: 'Mine, test' });
    assertProblem(await call(theirs.test, 'GET', `/v1/customers/${mineTest.id}`), 404, 'not_found');
    assertProblem(await call(theirs.live, 'GET', `/v1/customers/${mineTest.id}`), 404, 'not_found');
    const theirSandbox = (await call(theirs.test, 'GET', '/v1/account')).body.data.id;
    const mySandbox = (await call(mine.test, 'GET', '/v1/account')).body.data.id;
    assert.notEqual(theirSandbox, mySandbox);
  });

  test('a test key made before test mode existed keeps reaching the live data it made', async () => {
    const acct = await accountWithTestKey('Legacy Co');
    const [row] = await systemQuery(ctx.db, {
      sql: `UPDATE api_keys SET legacy_live_test = true
             WHERE account_id = $1 AND mode = 'test' RETURNING id`,
      parameters: [acct.id],
    });
    assert.ok(row, 'the key was never used, so nothing cached it');
    const customer = await created(acct.live, 'customers', { name: 'Live data' });
    assert.equal((await call(acct.test, 'GET', `/v1/customers/${customer.id}`)).status, 200);
    assert.equal((await call(acct.test, 'GET', '/v1/account')).body.data.livemode, true);
  });

  test('events and webhook payloads carry livemode; webhook endpoints are per mode', async () => {
    const acct = await accountWithTestKey('Events Co');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    for (const key of [acct.live, acct.test])
      await created(key, 'webhook-endpoints', { url, enabled_events: ['customer.created'] });
    const testCustomer = await created(acct.test, 'customers', { name: 'Test-mode hook' });
    const liveCustomer = await created(acct.live, 'customers', { name: 'Live hook' });

    const testEvents = (await call(acct.test, 'GET', '/v1/events?type=customer.created')).body.data;
    const liveEvents = (await call(acct.live, 'GET', '/v1/events?type=customer.created')).body.data;
    assert.deepEqual(
      testEvents.map((e: any) => [e.data.object.id, e.livemode]),
      [[testCustomer.id, false]],
    );
    assert.deepEqual(
      liveEvents.map((e: any) => [e.data.object.id, e.livemode]),
      [[liveCustomer.id, true]],
    );
    const filtered = (await call(acct.test, 'GET', '/v1/events?livemode=true')).body.data;
    assert.deepEqual(filtered, [], 'a sandbox has no live events');

    const sandboxId = (await call(acct.test, 'GET', '/v1/account')).body.data.id;
    hooks.length = 0;
    await ctx.runtime.use(webhookDelivery).drain({ accountIds: [acct.id, sandboxId] });
    const byObject = new Map(hooks.map((h) => [h.data.object.id, h]));
    assert.equal(hooks.length, 2, "each mode's endpoint got its own mode's event, once");
    assert.equal(byObject.get(testCustomer.id).livemode, false);
    assert.equal(byObject.get(liveCustomer.id).livemode, true);
  });

  test('test-mode mail and texts reach no provider and are recorded as simulated; live ones are sent', async () => {
    const acct = await accountWithTestKey('Sending Co');
    const sandboxId = (await call(acct.test, 'GET', '/v1/account')).body.data.id;
    const sendAll = async (key: string, tag: string) => {
      const mailThread = await created(key, 'conversations', {
        channel: 'email',
        subject: `Quote ${tag}`,
        participant_address: `${tag}@example.com`,
      });
      const smsThread = await created(key, 'conversations', {
        channel: 'sms',
        participant_address: tag === 'test' ? '+14155550101' : '+14155550102',
      });
      const mail = await call(key, 'POST', '/v1/messages/send', {
        conversation_id: mailThread.id,
        body: `Mail ${tag}`,
      });
      const text = await call(key, 'POST', '/v1/messages/send', { conversation_id: smsThread.id, body: `Text ${tag}` });
      assert.equal(mail.status, 200, mail.text);
      assert.equal(text.status, 200, text.text);
      return [mail.body.data.channel_reference, text.body.data.channel_reference] as string[];
    };
    const testDeliveries = await sendAll(acct.test, 'test');
    const liveDeliveries = await sendAll(acct.live, 'live');
    smtp.mails.length = 0;
    texts.length = 0;
    await ctx.runtime.use(mailRelay).deliver(undefined, [acct.id, sandboxId]);
    await ctx.runtime.use(smsRelay).deliver();

    assert.deepEqual(
      smtp.mails.map((m) => m.subject),
      ['Quote live'],
      'only the live mail reached the SMTP server',
    );
    assert.deepEqual(
      texts.filter((t) => t.to.startsWith('+1415555010')).map((t) => t.body),
      ['Text live'],
      'only the live text reached the provider',
    );
    for (const id of testDeliveries) {
      const delivery = (await call(acct.test, 'GET', `/v1/deliveries/${id}`)).body.data;
      assert.equal(delivery.status, 'simulated', JSON.stringify(delivery));
      assert.ok(delivery.sent_at);
      assertProblem(await call(acct.live, 'GET', `/v1/deliveries/${id}`), 404, 'not_found');
    }
    for (const id of liveDeliveries)
      assert.equal((await call(acct.live, 'GET', `/v1/deliveries/${id}`)).body.data.status, 'sent');
    const listed = (await call(acct.test, 'GET', '/v1/deliveries?status=simulated')).body.data;
    assert.deepEqual(listed.map((d: any) => d.id).sort(), [...testDeliveries].sort());
  });

  test('test mode refuses a live Stripe key and any integration, changing nothing', async () => {
    const acct = await accountWithTestKey('Guarded Co');
    const refused = await call(acct.test, 'POST', '/v1/account/stripe', {
      secret_key: `sk_live_${'a'.repeat(24)}`,
      publishable_key: `pk_live_${'a'.repeat(24)}`,
    });
    assertProblem(refused, 422, 'validation_failed');
    const connection = (await call(acct.test, 'GET', '/v1/account/stripe')).body.data;
    assert.equal(connection.configured, false);
    const connect = assertProblem(
      await call(acct.test, 'GET', '/v1/integrations/quickbooks/authorize'),
      403,
      'forbidden',
    );
    assert.match(connect.detail, /test mode/);
    const [states] = await systemQuery(ctx.db, {
      sql: 'SELECT count(*)::int AS n FROM integration_oauth_states WHERE account_id IN ($1, $2)',
      parameters: [acct.id, (await call(acct.test, 'GET', '/v1/account')).body.data.id],
    });
    assert.equal(states.n, 0, 'no connect flow was started');
  });

  test("POST /v1/sandbox/reset deletes the sandbox's data only, and only with a test key", async () => {
    const acct = await accountWithTestKey('Reset Co');
    const liveCustomer = await created(acct.live, 'customers', { name: 'Stays' });
    const testCustomer = await created(acct.test, 'customers', { name: 'Goes' });
    await created(acct.test, 'jobs', { customer_id: testCustomer.id, title: 'Goes too' });
    const other = await accountWithTestKey('Bystander Co');
    const bystander = await created(other.test, 'customers', { name: 'Another sandbox' });

    assertProblem(await call(acct.live, 'POST', '/v1/sandbox/reset'), 403, 'forbidden');
    assert.equal((await call(acct.test, 'GET', `/v1/customers/${testCustomer.id}`)).status, 200, 'nothing changed');

    const reset = await call(acct.test, 'POST', '/v1/sandbox/reset');
    assert.equal(reset.status, 200, reset.text);
    assert.equal(reset.body.data.deleted.customers, 1);
    assert.equal(reset.body.data.deleted.jobs, 1);
    assert.ok(reset.body.data.deleted.events >= 2);
    assert.deepEqual((await call(acct.test, 'GET', '/v1/customers')).body.data, []);
    assert.deepEqual((await call(acct.test, 'GET', '/v1/jobs')).body.data, []);
    assert.equal((await call(acct.test, 'GET', '/v1/account')).body.data.livemode, false, 'the sandbox stays');
    assert.equal((await call(acct.live, 'GET', `/v1/customers/${liveCustomer.id}`)).status, 200);
    assert.equal((await call(other.test, 'GET', `/v1/customers/${bystander.id}`)).status, 200);
    // The sandbox works on after a reset.
    await created(acct.test, 'customers', { name: 'New start' });
  });

  test('suspending the live account suspends its sandbox; resuming resumes both', async () => {
    const acct = await accountWithTestKey('Suspended Modes Co');
    const sandboxId = (await call(acct.test, 'GET', '/v1/account')).body.data.id;
    const operator = await signedInOperator(ctx, 'sandbox-ops');
    const asOperator = (path: string, body: unknown) => ctx.call('POST', path, { key: operator.token, body });
    const suspended = await asOperator(`/v1/platform/accounts/${acct.id}/suspend`, { reason: 'test mode check' });
    assert.equal(suspended.status, 200, suspended.text);
    assertProblem(await call(acct.test, 'GET', '/v1/customers'), 403, 'account_suspended');
    assertProblem(await call(acct.live, 'GET', '/v1/customers'), 403, 'account_suspended');
    const statusOf = async (id: string) =>
      (await systemQuery(ctx.db, { sql: 'SELECT status FROM accounts WHERE id = $1', parameters: [id] }))[0].status;
    assert.equal(await statusOf(sandboxId), 'suspended', 'background work for the sandbox sees it too');

    assert.equal((await asOperator(`/v1/platform/accounts/${acct.id}/resume`, {})).status, 200);
    assert.equal((await call(acct.test, 'GET', '/v1/customers')).status, 200);
    assert.equal(await statusOf(sandboxId), 'active');
  });
});
