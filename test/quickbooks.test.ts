// The QuickBooks Online connector end to end against the local Intuit stand-in
// (test/support/fake-quickbooks.ts): connect with realmId, refresh, invalid_grant, push twice
// without duplicates (the second run sends what changed), tax and amounts exact, a payment
// recorded in QuickBooks pulled once, a crash before a page's commit resumed without duplicates or
// gaps, 429 honoured, Faults reported clearly, disconnect revoking at Intuit, tenancy.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../src/db/database.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { syncRunner } from '../src/integrations/integration-operations.ts';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { startQuickBooksFake, type FakeCompany, type QuickBooksFake } from './support/fake-quickbooks.ts';

/** The database, except that an armed crash kills the next sync page's COMMIT (before it reaches the server). */
function crashablePageCommits(db: Database) {
  let armed = false;
  const wrapped: Database = {
    kind: db.kind,
    poolStats: () => db.poolStats(),
    listen: (...args) => db.listen(...args),
    close: () => db.close(),
    withConnection: (work) =>
      db.withConnection((connection) =>
        work({
          copyFrom: (...args) => connection.copyFrom(...args),
          query: (...args) => connection.query(...args),
          run: async (text) => {
            if (armed && /integration_sync_cursors/.test(text) && /\bCOMMIT$/.test(text.trim())) {
              armed = false;
              throw new Error('worker died before the page committed');
            }
            return connection.run(text);
          },
        }),
      ),
  };
  return { wrapped, arm: () => void (armed = true) };
}

let qbo: QuickBooksFake;
let t: TestContext;
let crash: ReturnType<typeof crashablePageCommits>;
let account: TestAccount;
let company: FakeCompany;

before(async () => {
  qbo = await startQuickBooksFake();
  t = await createTestContext({
    integrations: {
      quickbooks: {
        oauthUrl: qbo.url,
        authorizeUrl: `${qbo.url}/connect/oauth2`,
        apiUrl: qbo.url,
        clientId: qbo.clientId,
        clientSecret: qbo.clientSecret,
      },
    },
    wrapDatabase: (db) => (crash = crashablePageCommits(db)).wrapped,
  });
});
after(async () => {
  await t.close();
  await qbo.close();
});
beforeEach(async () => {
  account = await t.newAccount('Books Co');
  company = qbo.addCompany(`Books Co ${account.id.slice(-6)} LLC`);
});

const call = (method: string, path: string, body?: unknown, key = account.key) => t.call(method, path, { key, body });
const created = async (collection: string, body: unknown) => {
  const response = await call('POST', `/v1/${collection}`, body);
  assert.equal(response.status, 201, response.text);
  return response.body.data;
};
const HOUR = 3_600_000;
const entities = (name: 'Customer' | 'Invoice' | 'Payment') => qbo.entities(company.realmId, name);

/** The whole OAuth round trip: our authorize redirect, Intuit's consent, our callback with realmId. */
async function connect(key = account.key, realmId = company.realmId) {
  const start = await t.call('GET', '/v1/integrations/quickbooks/authorize', { key });
  assert.equal(start.status, 302, start.text);
  const authorizeUrl = new URL(start.headers.get('location')!);
  qbo.consentAs(realmId);
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(consent.status, 302);
  const back = new URL(consent.headers.get('location')!);
  const callback = await t.call('GET', `${back.pathname}${back.search}`, { headers: { accept: 'application/json' } });
  assert.equal(callback.status, 200, callback.text);
  return { authorizeUrl, back, callback };
}

/**
 * Starts a sync and runs this account's runs that are due (a second on: the run's time is the
 * database's, in microseconds; other suites' runs on a shared PostgreSQL are theirs to run).
 */
async function sync() {
  const started = await call('POST', '/v1/integrations/quickbooks/sync', {});
  assert.equal(started.status, 202, started.text);
  await t.runtime.use(syncRunner).runDue(Date.now() + 1000, { accountIds: [account.id] });
  return (await call('GET', `/v1/integration-syncs/${started.body.data.id}`)).body.data;
}

const status = async (key = account.key) =>
  (await call('GET', '/v1/integrations/quickbooks/status', undefined, key)).body.data;

/** A customer with a sent invoice: 3 x 33.33 + 1 x 0.01 at 8.25 % tax. */
async function billed(name = 'Grace Hopper') {
  const customer = await created('customers', { name, email: 'grace@example.test' });
  const invoice = await created('invoices', {
    customer_id: customer.id,
    tax_rate_bps: 825,
    line_items: [
      { description: 'Labour', quantity: 3, unit_amount: 3333 },
      { description: 'Washer', quantity: 1, unit_amount: 1 },
    ],
  });
  const sent = await call('POST', `/v1/invoices/${invoice.id}/send`);
  assert.equal(sent.status, 200, sent.text);
  return { customer, invoice: sent.body.data };
}

async function linkOf(collection: string, recordId: string) {
  const [row] = await systemQuery(t.db, {
    sql: `SELECT external_id, metadata FROM integration_links
           WHERE account_id = $1 AND provider = 'quickbooks' AND collection = $2 AND record_id = $3
           ORDER BY updated_at DESC LIMIT 1`,
    parameters: [account.id, collection, recordId],
  });
  return row;
}

describe('connecting QuickBooks', () => {
  test('OAuth with state and no PKCE; the callback realmId is the company; its name is the identity', async () => {
    const { authorizeUrl, back } = await connect();
    assert.equal(authorizeUrl.searchParams.get('scope'), 'com.intuit.quickbooks.accounting');
    assert.ok(authorizeUrl.searchParams.get('state'));
    assert.equal(authorizeUrl.searchParams.get('code_challenge'), null);
    assert.equal(back.searchParams.get('realmId'), company.realmId);
    const shown = await status();
    assert.equal(shown.status, 'connected');
    assert.equal(shown.identity, company.name);
    const [row] = await systemQuery(t.db, {
      sql: `SELECT i.external_account_id, k.access_token, k.refresh_token FROM integrations i
              JOIN integration_tokens k ON k.account_id = i.account_id AND k.provider = i.provider
             WHERE i.account_id = $1 AND i.provider = 'quickbooks'`,
      parameters: [account.id],
    });
    assert.equal(row.external_account_id, company.realmId);
    const tokenRequests = qbo.requests.filter((r) => r.path === '/oauth2/v1/tokens/bearer');
    assert.ok(tokenRequests.length > 0);
    assert.match(row.access_token, /^v1:/, 'sealed');
    assert.doesNotMatch(JSON.stringify(shown), /v1:|access|refresh_token/);
    // The same callback again: its state is spent.
    const replay = await t.call('GET', `${back.pathname}${back.search}`, { headers: { accept: 'application/json' } });
    assert.equal(replay.status, 400);
  });

  test('an expired access token is refreshed (HTTP Basic at Intuit); a revoked grant is needs_reauth', async () => {
    await connect();
    qbo.expireAccessTokens();
    const run = await sync();
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal((await status()).status, 'connected');
    qbo.revokeGrant(company.realmId);
    const refused = await sync();
    assert.equal(refused.status, 'failed');
    const shown = await status();
    assert.equal(shown.status, 'needs_reauth');
    assert.match(shown.last_error, /invalid_grant|connect/i);
    const again = await call('POST', '/v1/integrations/quickbooks/sync', {});
    assert.equal(again.status, 409);
  });

  test('disconnect revokes the grant at Intuit and forgets the tokens', async () => {
    await connect();
    const gone = await call('DELETE', '/v1/integrations/quickbooks');
    assert.equal(gone.status, 200, gone.text);
    assert.equal(gone.body.data.status, 'disconnected');
    const revoke = qbo.requests.filter((r) => r.path === '/oauth2/v1/tokens/revoke').at(-1);
    assert.ok(revoke && typeof (revoke.body as any).token === 'string');
    const [tokens] = await systemQuery(t.db, {
      sql: `SELECT 1 FROM integration_tokens WHERE account_id = $1 AND provider = 'quickbooks'`,
      parameters: [account.id],
    });
    assert.equal(tokens, undefined);
  });

  test("another account's integration and runs are 404; its sync is 409 until it connects", async () => {
    await connect();
    const run = await sync();
    const other = await t.newAccount('Other Co');
    assert.equal((await status(other.key)).status, 'disconnected');
    assert.equal((await call('GET', `/v1/integration-syncs/${run.id}`, undefined, other.key)).status, 404);
    assert.equal((await call('DELETE', '/v1/integrations/quickbooks', undefined, other.key)).status, 404);
    assert.equal((await call('POST', '/v1/integrations/quickbooks/sync', {}, other.key)).status, 409);
    assert.equal((await status()).status, 'connected');
  });
});

describe('the accounting sync', () => {
  beforeEach(() => connect());

  test('push: customers, invoices with exact tax, payments; again: no duplicates, only changes', async () => {
    const { customer, invoice } = await billed();
    assert.equal(invoice.total, 10_825);
    const paid = await call('POST', `/v1/invoices/${invoice.id}/payments`, {
      amount: 4025,
      method: 'check',
      reference: 'CHK-1001',
    });
    assert.equal(paid.status, 201, paid.text);
    await created('invoices', { customer_id: customer.id, line_items: [] }); // a draft: not a bill yet

    const first = await sync();
    assert.equal(first.status, 'succeeded', first.error);
    assert.equal(first.created_count, 3);
    const [qCustomer] = entities('Customer');
    const [qInvoice] = entities('Invoice');
    const [qPayment] = entities('Payment');
    assert.equal(qCustomer.DisplayName, 'Grace Hopper');
    assert.equal(qCustomer.PrimaryEmailAddr.Address, 'grace@example.test');
    assert.equal(qInvoice.CustomerRef.value, qCustomer.Id);
    assert.equal(JSON.stringify(qInvoice.TotalAmt), '108.25');
    assert.equal(JSON.stringify(qInvoice.TxnTaxDetail.TotalTax), '8.25');
    assert.deepEqual(
      qInvoice.Line.map((l: any) => [l.Amount, l.SalesItemLineDetail.UnitPrice, l.SalesItemLineDetail.Qty]),
      [
        [99.99, 33.33, 3],
        [0.01, 0.01, 1],
      ],
    );
    assert.equal(JSON.stringify(qInvoice.Balance), '68');
    assert.equal(qPayment.TotalAmt, 40.25);
    assert.equal(qPayment.PaymentRefNum, 'CHK-1001');
    assert.deepEqual(qPayment.Line[0].LinkedTxn, [{ TxnId: qInvoice.Id, TxnType: 'Invoice' }]);
    assert.equal((await linkOf('customers', customer.id)).external_id, qCustomer.Id);
    assert.equal((await linkOf('invoices', invoice.id)).external_id, qInvoice.Id);

    const second = await sync();
    assert.equal(second.status, 'succeeded', second.error);
    assert.equal(second.created_count + second.updated_count, 0);
    assert.equal(entities('Customer').length, 1);
    assert.equal(entities('Invoice').length, 1);
    assert.equal(entities('Payment').length, 1);

    const renamed = await call('PATCH', `/v1/customers/${customer.id}`, {
      name: 'Grace B. Hopper',
      phone: '+15555550100',
    });
    assert.equal(renamed.status, 200, renamed.text);
    const third = await sync();
    assert.equal(third.updated_count, 1, JSON.stringify(third));
    assert.equal(third.created_count, 0);
    const [updated] = entities('Customer');
    assert.equal(updated.Id, qCustomer.Id);
    assert.equal(updated.DisplayName, 'Grace B. Hopper');
    assert.equal(updated.PrimaryPhone.FreeFormNumber, '+15555550100');
    assert.equal(updated.SyncToken, '1');
  });

  test('stale SyncToken: re-read, sent once more; a taken name gets our id; QuickBooks-only fields stay', async () => {
    const { customer } = await billed('Alan Turing');
    await sync();
    const [qCustomer] = entities('Customer');
    qbo.editInQuickBooks(company.realmId, 'Customer', qCustomer.Id, { Title: 'Dr', DisplayName: 'A. Turing' });
    await call('PATCH', `/v1/customers/${customer.id}`, { email: 'alan@example.test' });
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.updated_count, 1, JSON.stringify(run));
    const [now] = entities('Customer');
    assert.equal(now.DisplayName, 'Alan Turing', 'we own the name');
    assert.equal(now.Title, 'Dr', 'a field we do not send stays');
    assert.equal(now.PrimaryEmailAddr.Address, 'alan@example.test');

    const twin = await created('customers', { name: 'Alan Turing' });
    const again = await sync();
    assert.equal(again.created_count, 1, JSON.stringify(again));
    const names = entities('Customer')
      .map((c) => c.DisplayName)
      .sort();
    assert.deepEqual(names, ['Alan Turing', `Alan Turing (${twin.id.slice(-6)})`]);
  });

  test('voided invoice voided there, deleted customer inactive; a lost create answer is no 2nd entity', async () => {
    const { invoice } = await billed();
    const temporary = await created('customers', { name: 'Temporary' });
    qbo.failNext({ status: 502, path: '/customer', afterWrite: true });
    const first = await sync();
    assert.equal(first.status, 'succeeded', first.error);
    const names = entities('Customer').map((c) => c.DisplayName);
    assert.deepEqual(names.sort(), ['Grace Hopper', 'Temporary']);
    assert.equal((await call('POST', `/v1/invoices/${invoice.id}/void`)).status, 200);
    assert.equal((await call('DELETE', `/v1/customers/${temporary.id}`)).status, 200);
    const second = await sync();
    assert.equal(second.status, 'succeeded', second.error);
    assert.equal(second.updated_count, 2, JSON.stringify(second));
    const [voided] = entities('Invoice');
    assert.equal(voided.TotalAmt, 0);
    assert.equal(entities('Customer').find((c) => c.DisplayName === 'Temporary')!.Active, false);
    const third = await sync();
    assert.equal(third.updated_count, 0, JSON.stringify(third));
  });

  test('reconnected to another company: everything goes to the new one, the old links are not used', async () => {
    const { customer } = await billed();
    await sync();
    const second = qbo.addCompany('Second Books LLC');
    await connect(account.key, second.realmId);
    assert.equal((await status()).identity, 'Second Books LLC');
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 2, JSON.stringify(run));
    assert.equal(qbo.entities(second.realmId, 'Customer').length, 1);
    assert.equal(qbo.entities(second.realmId, 'Invoice').length, 1);
    assert.equal(entities('Customer').length, 1, 'the first company is left as it was');
    assert.equal((await linkOf('customers', customer.id)).metadata.realm, second.realmId);
  });

  test('a payment recorded in QuickBooks is pulled onto its invoice, once', async () => {
    const { invoice } = await billed();
    await sync();
    const [qInvoice] = entities('Invoice');
    qbo.recordPayment(company.realmId, qInvoice.Id, 50.05, { PaymentRefNum: 'QB-77' });
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 1, JSON.stringify(run));
    const payments = (await call('GET', `/v1/payments?invoice_id=${invoice.id}`)).body.data;
    assert.equal(payments.length, 1);
    assert.equal(payments[0].amount, 5005);
    assert.match(payments[0].reference, /QuickBooks payment \d+ \(QB-77\)/);
    const after = (await call('GET', `/v1/invoices/${invoice.id}`)).body.data;
    assert.equal(after.amount_paid, 5005);
    assert.equal(after.amount_due, 10_825 - 5005);

    const again = await sync();
    assert.equal(again.created_count, 0);
    assert.equal((await call('GET', `/v1/payments?invoice_id=${invoice.id}`)).body.data.length, 1);
    assert.equal(entities('Payment').length, 1, 'the pulled payment is not pushed back');
    qbo.recordPayment(company.realmId, qInvoice.Id, 58.2);
    const paidOff = await sync();
    assert.equal(paidOff.created_count, 1);
    assert.equal((await call('GET', `/v1/invoices/${invoice.id}`)).body.data.status, 'paid');
  });

  test('a payment deleted or voided in QuickBooks after it was pulled is refunded here (QuickBooks wins)', async () => {
    const { invoice } = await billed();
    await sync();
    const [qInvoice] = entities('Invoice');
    const first = qbo.recordPayment(company.realmId, qInvoice.Id, 10);
    const second = qbo.recordPayment(company.realmId, qInvoice.Id, 20.5);
    const pulled = await sync();
    assert.equal(pulled.created_count, 2, JSON.stringify(pulled));
    assert.equal((await call('GET', `/v1/invoices/${invoice.id}`)).body.data.amount_paid, 3050);
    qbo.deletePayment(company.realmId, first.Id);
    qbo.voidPayment(company.realmId, second.Id);
    const withdrawn = await sync();
    assert.equal(withdrawn.status, 'succeeded', withdrawn.error);
    assert.equal(withdrawn.updated_count, 2, JSON.stringify(withdrawn));
    const ours = (await call('GET', `/v1/payments?invoice_id=${invoice.id}`)).body.data;
    assert.deepEqual(
      ours.map((p: any) => p.status),
      ['refunded', 'refunded'],
    );
    assert.match(
      ours.map((p: any) => p.refund_reason).join(' '),
      /deleted in QuickBooks.*voided in QuickBooks|voided.*deleted/,
    );
    const after = (await call('GET', `/v1/invoices/${invoice.id}`)).body.data;
    assert.equal(after.amount_paid, 0);
    assert.equal(after.status, 'open');
    const again = await sync();
    assert.equal(again.updated_count, 0, 'refunded once');
  });

  test('a crash before a page commits: the next run redoes it with no duplicates and no gaps', async () => {
    for (let i = 0; i < 30; i++) await created('customers', { name: `Customer ${String(i).padStart(2, '0')}` });
    crash.arm();
    const broken = await sync();
    assert.equal(broken.status, 'failed');
    assert.equal(entities('Customer').length, 25, 'QuickBooks has the first page; we have no links for it');
    const resumed = await sync();
    assert.equal(resumed.status, 'succeeded', resumed.error);
    assert.equal(resumed.created_count, 30);
    const names = entities('Customer').map((c) => c.DisplayName);
    assert.equal(names.length, 30);
    assert.equal(new Set(names).size, 30);
    const [links] = await systemQuery(t.db, {
      sql: `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS distinct_ids FROM integration_links
             WHERE account_id = $1 AND provider = 'quickbooks' AND collection = 'customers'`,
      parameters: [account.id],
    });
    assert.deepEqual([Number(links.n), Number(links.distinct_ids)], [30, 30]);
  });

  test('a payment from no customer cannot be recorded in QuickBooks: reported, the rest goes on', async () => {
    const loose = await created('payments', { amount: 1500, method: 'cash' });
    await billed();
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.created_count, 2);
    assert.deepEqual(run.failures, [
      { external_id: loose.id, reason: 'QuickBooks records a payment only from a customer: it has none' },
    ]);
    assert.equal(entities('Payment').length, 0);
  });

  test('429: a short Retry-After is waited out; a long one pauses the run until then', async () => {
    await billed();
    qbo.failNext({ status: 429, retryAfter: 1, path: '/customer' });
    const started = Date.now();
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.ok(Date.now() - started >= 1000);
    assert.equal(entities('Customer').length, 1);

    await created('customers', { name: 'Later' });
    qbo.failNext({ status: 429, retryAfter: 1800, path: '/customer' });
    const paused = await sync();
    assert.equal(paused.status, 'queued');
    assert.match(paused.error, /Waiting/);
    await t.runtime.use(syncRunner).runDue(Date.now() + 10_000, { accountIds: [account.id] });
    assert.equal((await call('GET', `/v1/integration-syncs/${paused.id}`)).body.data.status, 'queued');
    await t.runtime.use(syncRunner).runDue(Date.now() + HOUR, { accountIds: [account.id] });
    const done = (await call('GET', `/v1/integration-syncs/${paused.id}`)).body.data;
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(entities('Customer').length, 2);
  });

  test("Faults: a refused record is reported in Intuit's words; a refused read fails the run clearly", async () => {
    const { invoice } = await billed();
    qbo.failNext({
      status: 400,
      path: '/invoice',
      fault: {
        type: 'ValidationFault',
        code: '6000',
        message: 'A business validation error has occurred',
        detail: 'Txn date is locked',
      },
    });
    const run = await sync();
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.failed_count, 1, JSON.stringify(run));
    assert.equal(run.failures[0].external_id, invoice.id);
    assert.match(
      run.failures[0].reason,
      /ValidationFault 6000: A business validation error has occurred: Txn date is locked/,
    );

    qbo.failNext({
      status: 400,
      path: '/cdc',
      fault: { type: 'ValidationFault', code: '4001', message: 'Invalid query' },
    });
    const refused = await sync();
    assert.equal(refused.status, 'failed');
    assert.match(refused.error, /4001: Invalid query/);
    const shown = await status();
    assert.equal(shown.status, 'error');
    assert.match(shown.last_error, /QuickBooks refused the request/);

    qbo.failNext({ status: 200, path: '/cdc', raw: '<html>maintenance</html>' });
    const malformed = await sync();
    assert.equal(malformed.status, 'failed');
    assert.match(malformed.error, /not JSON/);
    const recovered = await sync();
    assert.equal(recovered.status, 'succeeded', recovered.error);
    assert.equal((await status()).status, 'connected');
  });
});
