// The QuickBooks API client against the local Intuit stand-in (test/support/fake-quickbooks.ts):
// OAuth with realmId, refresh and invalid_grant, writes with requestid idempotency and SyncToken,
// exact amounts with tax, query paging, CDC, throttling, outages, Faults and bad answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { QuickBooksClient, type AccessTokenSource } from '../src/integrations/quickbooks/qbo-client.ts';
import { QuickBooksError } from '../src/integrations/quickbooks/qbo-errors.ts';
import { customerToQbo, invoiceToQbo, paymentApplications } from '../src/integrations/quickbooks/qbo-mapping.ts';
import { fromQboAmount } from '../src/integrations/quickbooks/qbo-money.ts';
import { authorizationUrl, exchangeCode, refreshTokens } from '../src/integrations/quickbooks/qbo-oauth.ts';
import { quickBooksSettings, type QuickBooksSettings } from '../src/integrations/quickbooks/qbo-settings.ts';
import { startQuickBooksFake, type QuickBooksFake } from './support/fake-quickbooks.ts';
import { loadConfig } from '../src/config.ts';

let fake: QuickBooksFake;
let settings: QuickBooksSettings;
const REDIRECT = 'http://127.0.0.1:1/callback';

before(async () => {
  fake = await startQuickBooksFake();
  settings = quickBooksSettings({
    oauthUrl: fake.url,
    authorizeUrl: `${fake.url}/connect/oauth2`,
    apiUrl: fake.url,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
  });
});
after(() => fake.close());

/** Consent at the fake: the redirect back carries code, state and realmId. */
async function consent(state = 'st-1') {
  const response = await fetch(authorizationUrl(settings, REDIRECT, state), { redirect: 'manual' });
  assert.equal(response.status, 302);
  return new URL(response.headers.get('location')!).searchParams;
}

async function connected(name = 'Bay Plumbing') {
  const company = fake.addCompany(name);
  fake.consentAs(company.realmId);
  const back = await consent();
  let tokens = await exchangeCode(settings, back.get('code')!, REDIRECT);
  const source: AccessTokenSource & { renewals: number } = {
    renewals: 0,
    current: async () => tokens.accessToken,
    async renew() {
      source.renewals++;
      tokens = await refreshTokens(settings, tokens.refreshToken);
      return tokens.accessToken;
    },
  };
  return { realmId: company.realmId, client: new QuickBooksClient(settings, company.realmId, source), source };
}

test("configuration: QuickBooks is offered with a client id and secret; the URLs are Intuit's unless given", () => {
  assert.equal(loadConfig({}).integrations.quickbooks, undefined);
  const env = { FIELDLINE_QUICKBOOKS_CLIENT_ID: 'ABid', FIELDLINE_QUICKBOOKS_CLIENT_SECRET: 'secret' };
  assert.deepEqual(loadConfig(env).integrations.quickbooks, {
    clientId: 'ABid',
    clientSecret: 'secret',
    oauthUrl: 'https://oauth.platform.intuit.com',
    authorizeUrl: 'https://appcenter.intuit.com/connect/oauth2',
    apiUrl: 'https://quickbooks.api.intuit.com',
  });
  const sandbox = loadConfig({ ...env, FIELDLINE_QUICKBOOKS_API_URL: 'https://sandbox-quickbooks.api.intuit.com' });
  assert.equal(sandbox.integrations.quickbooks?.apiUrl, 'https://sandbox-quickbooks.api.intuit.com');
  assert.throws(() => loadConfig({ FIELDLINE_QUICKBOOKS_API_URL: 'ftp://example.test' }), /QUICKBOOKS_API_URL/);
});

describe('OAuth', () => {
  test('consent returns code, state and realmId; the code buys tokens once; refresh and invalid_grant', async () => {
    const company = fake.addCompany('Oak Electric');
    fake.consentAs(company.realmId);
    const back = await consent('state-xyz');
    assert.equal(back.get('state'), 'state-xyz');
    assert.equal(back.get('realmId'), company.realmId);
    const tokens = await exchangeCode(settings, back.get('code')!, REDIRECT);
    assert.ok(tokens.expiresAt.getTime() > Date.now() + 3000_000);
    await assert.rejects(exchangeCode(settings, back.get('code')!, REDIRECT), { kind: 'invalid_grant' });
    const refreshed = await refreshTokens(settings, tokens.refreshToken);
    assert.notEqual(refreshed.accessToken, tokens.accessToken);
    fake.revokeGrant(company.realmId);
    await assert.rejects(refreshTokens(settings, refreshed.refreshToken), { kind: 'invalid_grant' });
    await assert.rejects(refreshTokens({ ...settings, clientSecret: 'wrong' }, refreshed.refreshToken), {
      kind: 'invalid_client',
    });
  });
});

describe('the Accounting API', () => {
  test('companyinfo names the company; an expired access token is refreshed once', async () => {
    const { client, source } = await connected('Harbor HVAC');
    assert.equal((await client.companyInfo()).companyName, 'Harbor HVAC');
    fake.expireAccessTokens();
    assert.equal((await client.companyInfo()).companyName, 'Harbor HVAC');
    assert.equal(source.renewals, 1);
    assert.ok(fake.requests.every((r) => !r.path.startsWith('/v3') || r.query.minorversion === '75'));
  });

  test('a create repeated with its requestid answers the same entity; a stale SyncToken is 5010', async () => {
    const { client, realmId } = await connected();
    const body = customerToQbo({ id: 'cus_01ABCDEF', name: 'Ada: Lovelace', email: 'ada@example.test' });
    const first = await client.create('Customer', body, 'req-1');
    const again = await client.create('Customer', body, 'req-1');
    assert.equal(again.Id, first.Id);
    assert.equal(fake.entities(realmId, 'Customer').length, 1);
    assert.equal(first.DisplayName, 'Ada- Lovelace');
    const updated = await client.update('Customer', first as never, { PrimaryPhone: { FreeFormNumber: '555' } }, 'r2');
    assert.equal(updated.SyncToken, '1');
    assert.equal((updated as any).PrimaryEmailAddr.Address, 'ada@example.test', 'sparse: the email stays');
    const stale = await client.update('Customer', first as never, { Notes: 'x' }, 'r3').catch((e) => e);
    assert.ok(stale instanceof QuickBooksError && stale.staleObject, String(stale));
    assert.match(stale.message, /ValidationFault 5010: Stale Object Error/);
    const duplicate = await client.create('Customer', body, 'req-other').catch((e) => e);
    assert.ok(duplicate.duplicateName, String(duplicate));
  });

  test('an invoice with tax has exactly our total; a payment is applied; CDC reports it', async () => {
    const { client, realmId } = await connected();
    const since = new Date(Date.now() - 1000);
    const customer = await client.create('Customer', { DisplayName: 'Grace' }, 'c1');
    const [item] = await client.query('Item', "Name = 'Services'");
    const row = {
      id: 'inv_01X',
      currency: 'USD',
      line_items: [
        { description: 'Labour', quantity: 3, unit_amount: 3333 },
        { description: 'Valve', quantity: 1, unit_amount: 1 },
      ],
      tax_rate_bps: 825,
      tax: 825, // round(10000 * 8.25 %) = 825
      created_at: new Date().toISOString(),
    };
    const invoice = await client.create(
      'Invoice',
      invoiceToQbo(row, { customerRef: customer.Id, itemRef: item.Id }),
      'i1',
    );
    assert.equal(fromQboAmount((invoice as any).TotalAmt, 'USD'), 10_825);
    assert.equal(JSON.stringify((invoice as any).Line[0].Amount), '99.99');
    fake.recordPayment(realmId, invoice.Id, 40.25);
    const changed = await client.changedSince(['Payment'], since);
    const [application] = paymentApplications(changed.Payment[0]);
    assert.equal(application.invoiceRef, invoice.Id);
    assert.deepEqual(application.amounts, [40.25]);
    assert.equal(fromQboAmount(((await client.read('Invoice', invoice.Id)) as any).Balance, 'USD'), 6800);
  });

  test('query reads every page', async () => {
    const { client, realmId } = await connected();
    for (let i = 0; i < 1005; i++) fake.companies.get(realmId)!.entities.Customer.set(`x${i}`, { Id: `x${i}` });
    assert.equal((await client.query('Customer')).length, 1005);
    const pages = fake.requests.filter((r) => r.path.endsWith('/query') && /Customer/.test(r.query.query));
    assert.match(pages.at(-1)!.query.query, /STARTPOSITION 1001 MAXRESULTS 1000/);
  });

  test('429 waits its Retry-After; a long one is reported; 5xx retried; Faults and bad answers are clear', async () => {
    const { client } = await connected();
    fake.failNext({ status: 429, retryAfter: 1, path: '/companyinfo' });
    const started = Date.now();
    await client.companyInfo();
    assert.ok(Date.now() - started >= 1000, 'waited the Retry-After');
    fake.failNext({ status: 429, retryAfter: 3600, path: '/companyinfo' });
    const throttled = await client.companyInfo().catch((e) => e);
    assert.equal(throttled.kind, 'throttled');
    assert.equal(throttled.details.retryAfterMs, 3_600_000);
    fake.failNext({ status: 503, path: '/companyinfo' }, 2);
    assert.ok(await client.companyInfo());
    fake.failNext({ status: 500, path: '/companyinfo' }, 3);
    assert.equal((await client.companyInfo().catch((e) => e)).kind, 'unavailable');
    fake.failNext({ status: 200, raw: '<html>not json', path: '/companyinfo' });
    assert.equal((await client.companyInfo().catch((e) => e)).kind, 'malformed');
    fake.failNext({ status: 200, raw: '{"CompanyInfo": {}}', path: '/companyinfo' });
    assert.match((await client.companyInfo().catch((e) => e)).message, /no CompanyName/);
    const missing = await client.read('Invoice', '999999').catch((e) => e);
    assert.equal(missing.kind, 'fault');
    assert.match(missing.message, /610: Object Not Found/);
  });

  test('a huge answer is refused after the limit, not buffered', async () => {
    const huge = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, ' ');
      let sent = 0;
      const pump = () => {
        while (sent < 64 && response.write(chunk)) sent++;
        if (sent < 64) response.once('drain', pump);
        else response.end('{}');
      };
      pump();
    });
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    const port = (huge.address() as { port: number }).port;
    const tokens = { current: async () => 't', renew: async () => 't' };
    const client = new QuickBooksClient({ ...settings, apiUrl: `http://127.0.0.1:${port}` }, '1', tokens);
    const error = await client.companyInfo().catch((e) => e);
    huge.closeAllConnections();
    huge.close();
    assert.equal(error.kind, 'malformed');
    assert.match(error.message, /more than the 8388608 bytes/);
  });
});
