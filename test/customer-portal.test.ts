// The customer side: an end customer signs in with a code mailed to them (a real SMTP
// conversation with smtp-server on 127.0.0.1), sees only their own jobs, documents, tickets
// and visit requests, accepts a quote with their typed name, asks for a visit that staff
// approve into a scheduled job, and loses access at once when staff revoke it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { startSmtpInbox, type SmtpInbox } from './support/smtp-inbox.ts';
import { accountClient, type TestAccount, type TestContext } from './support/test-context.ts';
import { createServedTestContext } from './support/real-port.ts';
import { mailRelay } from '../src/mail/mail-module.ts';
import { fakePublishableKey, fakeSecretKey, startStripeFake, type StripeFake } from './support/stripe-fake.ts';

let ctx: TestContext;
let account: TestAccount;
let other: TestAccount;
let smtp: SmtpInbox;
let stripe: StripeFake;
/** The server's own origin (it listens on 127.0.0.1, where the Stripe fake posts its events). */
let served: Awaited<ReturnType<typeof createServedTestContext>>;
const inbox: ParsedMail[] = [];
const { call, created } = accountClient(
  () => ctx,
  () => account,
);
const SIGNING_SECRET = 'whsec_test_customer_portal_secret_1';

async function relayMail(): Promise<ParsedMail[]> {
  const before = inbox.length;
  await ctx.runtime.use(mailRelay).deliver(undefined, [account.id, other.id]);
  return inbox.slice(before);
}

/** A customer call: a bearer token, or the cookie (with browser headers). */
function asCustomer(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  return ctx.call(method, path, { key: token, body, headers });
}

async function startSignIn(accountId: string, email: string) {
  const response = await ctx.call('POST', '/v1/customer/auth/start', { body: { account_id: accountId, email } });
  assert.equal(response.status, 202, response.text);
  return response;
}

/** The code and link token of the one mail that just arrived for `email`. */
async function mailedCode(email: string): Promise<{ code: string; token: string; mail: ParsedMail }> {
  const mails = (await relayMail()).filter((mail) => mail.text?.length && JSON.stringify(mail.to).includes(email));
  assert.equal(mails.length, 1, `one mail to ${email}`);
  const text = mails[0].text!;
  return {
    code: /code to sign in to .*: (\d{6})/.exec(text)![1],
    token: /#token=([A-Za-z0-9_-]{43})/.exec(text)![1],
    mail: mails[0],
  };
}

async function signIn(accountId: string, email: string): Promise<string> {
  await startSignIn(accountId, email);
  const { code } = await mailedCode(email);
  const verified = await ctx.call('POST', '/v1/customer/auth/verify', {
    body: { account_id: accountId, email, code },
  });
  assert.equal(verified.status, 200, verified.text);
  return verified.body.data.token;
}

before(async () => {
  smtp = await startSmtpInbox({ mails: inbox });
  stripe = await startStripeFake();
  served = await createServedTestContext({
    stripe: stripe.api,
    smtp: { url: smtp.url, from: 'Portal <portal@fieldline.test>' },
    // In-process requests have no socket: the address comes from the proxy header.
    trustProxy: true,
  });
  ctx = served.t;
  account = await ctx.newAccount('Northwind Heating');
  other = await ctx.newAccount('Other Business');
});
after(async () => {
  await served.close();
  await stripe.close();
  await smtp.close();
});

describe('signing in by code and link', () => {
  test('a mailed code opens a session once; the same answer for an unknown address, and no mail', async () => {
    const customer = await created('customers', { name: 'Ada Lovelace', email: 'ada@example.test' });
    const known = await startSignIn(account.id, 'ADA@example.test');
    const unknown = await startSignIn(account.id, 'nobody@example.test');
    assert.deepEqual(known.body, unknown.body);
    const { code, mail } = await mailedCode('ada@example.test');
    assert.match(mail.subject!, /sign-in code for Northwind Heating/);
    assert.equal((await relayMail()).length, 0, 'nothing was sent to the unknown address');

    const wrong = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: account.id, email: 'ada@example.test', code: code === '000000' ? '111111' : '000000' },
    });
    assert.equal(wrong.status, 422, wrong.text);
    assert.equal(wrong.body.errors[0].path, 'code');

    const verified = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: account.id, email: 'ada@example.test', code },
    });
    assert.equal(verified.status, 200, verified.text);
    const { token, customer: who } = verified.body.data;
    assert.match(token, /^flc_/);
    assert.deepEqual(who, { id: customer.id, name: 'Ada Lovelace' });
    const cookie = verified.headers.get('set-cookie')!;
    assert.match(cookie, /^fieldline_customer=flc_[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200/);

    const me = await asCustomer('GET', '/v1/customer/me', token);
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.data.customer.id, customer.id);
    assert.equal(me.body.data.business.name, 'Northwind Heating');

    const again = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: account.id, email: 'ada@example.test', code },
    });
    assert.equal(again.status, 422, 'a code works once');

    const [stored] = await ctx.db.withConnection((c) =>
      c.run(`SELECT code_hash::text AS hash FROM customer_sign_in_codes WHERE customer_id = '${customer.id}'`),
    );
    assert.ok(!String(stored[0].hash).includes(Buffer.from(code).toString('hex')), 'only a hash is stored');
  });

  test('the magic link signs in once, and a contact signs in to their customer', async () => {
    const customer = await created('customers', { name: 'Grace Corp' });
    await created('contacts', { first_name: 'Grace', customer_id: customer.id, email: 'grace@example.test' });
    await startSignIn(account.id, 'grace@example.test');
    const { token } = await mailedCode('grace@example.test');
    const first = await ctx.call('POST', '/v1/customer/auth/verify', { body: { token } });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.data.customer.id, customer.id);
    const second = await ctx.call('POST', '/v1/customer/auth/verify', { body: { token } });
    assert.equal(second.status, 422);
    assert.equal(second.body.errors[0].path, 'token');
  });

  test('five wrong guesses kill a code', async () => {
    await created('customers', { name: 'Guessed', email: 'guess@example.test' });
    await startSignIn(account.id, 'guess@example.test');
    const { code } = await mailedCode('guess@example.test');
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      const wrong = await ctx.call('POST', '/v1/customer/auth/verify', {
        body: { account_id: account.id, email: 'guess@example.test', code: wrongCode },
      });
      assert.equal(wrong.status, 422);
    }
    const right = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: account.id, email: 'guess@example.test', code },
    });
    assert.equal(right.status, 422, 'the code died after five wrong guesses');
  });

  test('a code of one account does not open another; bad input is a clear 400/422', async () => {
    await created('customers', { name: 'Twice', email: 'twice@example.test' });
    await startSignIn(account.id, 'twice@example.test');
    const { code } = await mailedCode('twice@example.test');
    const elsewhere = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: other.id, email: 'twice@example.test', code },
    });
    assert.equal(elsewhere.status, 422);
    const malformed = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: account.id, email: 'twice@example.test', code: '12ab' },
    });
    assert.equal(malformed.status, 422);
    const noAddress = await ctx.call('POST', '/v1/customer/auth/start', { body: { account_id: account.id } });
    assert.equal(noAddress.status, 422);
  });

  test('customer tokens and staff credentials each open only their own side', async () => {
    await created('customers', { name: 'Sides', email: 'sides@example.test' });
    const token = await signIn(account.id, 'sides@example.test');
    assert.equal((await asCustomer('GET', '/v1/customers', token)).status, 401);
    assert.equal((await ctx.call('GET', '/v1/customer/me', { key: account.key })).status, 401);
    assert.equal((await ctx.call('GET', '/v1/customer/me')).status, 401);
  });

  test('signing out ends the session at once', async () => {
    await created('customers', { name: 'Leaving', email: 'leaving@example.test' });
    const token = await signIn(account.id, 'leaving@example.test');
    assert.equal((await asCustomer('POST', '/v1/customer/auth/sign-out', token)).status, 200);
    assert.equal((await asCustomer('GET', '/v1/customer/me', token)).status, 401);
  });
});

describe("a customer's own records", () => {
  let mine: Record<string, any>;
  let theirs: Record<string, any>;
  let token: string;
  const LINES = [{ description: 'Boiler service', quantity: 1, unit_amount: 12_000 }];

  before(async () => {
    mine = await created('customers', { name: 'Mine', email: 'mine@example.test' });
    theirs = await created('customers', { name: 'Theirs', email: 'theirs@example.test' });
    token = await signIn(account.id, 'mine@example.test');
  });

  test('jobs: only theirs, with the arrival window and the technician by first name', async () => {
    const technician = await created('users', { name: 'Tomás Rivera', email: 'tomas@field.test', role: 'technician' });
    const job = await created('jobs', { title: 'Fix boiler', customer_id: mine.id });
    const assigned = await call('POST', `/v1/jobs/${job.id}/assign`, {
      technician_id: technician.id,
      scheduled_start: '2027-01-10T09:00:00Z',
      scheduled_end: '2027-01-10T11:00:00Z',
    });
    assert.equal(assigned.status, 200, assigned.text);
    const otherJob = await created('jobs', { title: 'Not yours', customer_id: theirs.id });

    const list = await asCustomer('GET', '/v1/customer/jobs', token);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.body.data.map((j: any) => j.id),
      [job.id],
    );
    const [shown] = list.body.data;
    assert.equal(shown.technician_first_name, 'Tomás');
    assert.equal(shown.scheduled_start, '2027-01-10T09:00:00.000Z');
    assert.equal(shown.technician_id, undefined, 'staff ids stay inside');
    assert.equal((await asCustomer('GET', `/v1/customer/jobs/${otherJob.id}`, token)).status, 404);
    assert.equal((await asCustomer('GET', `/v1/customer/jobs/${job.id}`, token)).status, 200);
  });

  test('invoices: sent ones only, with the PDF; drafts and other customers are 404', async () => {
    const draft = await created('invoices', { customer_id: mine.id, line_items: LINES });
    const sent = await created('invoices', { customer_id: mine.id, line_items: LINES });
    assert.equal((await call('POST', `/v1/invoices/${sent.id}/send`, { to: ['mine@example.test'] })).status, 200);
    await relayMail();
    const list = await asCustomer('GET', '/v1/customer/invoices', token);
    assert.deepEqual(
      list.body.data.map((i: any) => i.id),
      [sent.id],
    );
    assert.equal(list.body.data[0].amount_due, 12_000);
    assert.equal((await asCustomer('GET', `/v1/customer/invoices/${draft.id}`, token)).status, 404);
    const pdf = await ctx.app.request(`/v1/customer/invoices/${sent.id}/pdf`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );

    const theirsInvoice = await created('invoices', { customer_id: theirs.id, line_items: LINES });
    await call('POST', `/v1/invoices/${theirsInvoice.id}/send`, { to: ['theirs@example.test'] });
    await relayMail();
    for (const path of [`/v1/customer/invoices/${theirsInvoice.id}`, `/v1/customer/invoices/${theirsInvoice.id}/pdf`]) {
      const response = await asCustomer('GET', path, token);
      assert.equal(response.status, 404, path);
      assert.ok(!response.text.includes('Theirs'));
    }
  });

  test('accepting a quote records the typed name, time and address; staff see it and its event', async () => {
    const quote = await created('quotes', { customer_id: mine.id, title: 'New radiators', line_items: LINES });
    assert.equal(
      (await asCustomer('POST', `/v1/customer/quotes/${quote.id}/accept`, token, { signed_name: 'M. Ine' })).status,
      404,
      'a draft is not theirs to see yet',
    );
    assert.equal((await call('POST', `/v1/quotes/${quote.id}/send`, { to: ['mine@example.test'] })).status, 200);
    await relayMail();
    const noName = await asCustomer('POST', `/v1/customer/quotes/${quote.id}/accept`, token, {});
    assert.equal(noName.status, 422);
    const accepted = await asCustomer(
      'POST',
      `/v1/customer/quotes/${quote.id}/accept`,
      token,
      { signed_name: 'M. Ine' },
      { 'x-forwarded-for': '203.0.113.7' },
    );
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(accepted.body.data.status, 'accepted');
    assert.equal(accepted.body.data.accepted_by_name, 'M. Ine');

    const staff = await call('GET', `/v1/quotes/${quote.id}`);
    assert.equal(staff.body.data.accepted_via, 'customer_portal');
    assert.equal(staff.body.data.accepted_by_name, 'M. Ine');
    assert.equal(staff.body.data.accepted_ip, '203.0.113.7');
    const events = await call('GET', `/v1/events?type=quote.accepted`);
    assert.ok(events.body.data.some((event: any) => event.data.object.id === quote.id));

    const twice = await asCustomer('POST', `/v1/customer/quotes/${quote.id}/decline`, token, {});
    assert.equal(twice.status, 409, 'an accepted quote cannot be declined');
  });

  test('declining an estimate gives the business the reason', async () => {
    const estimate = await created('estimates', { customer_id: mine.id, title: 'Heat pump', line_items: LINES });
    await call('POST', `/v1/estimates/${estimate.id}/send`, { to: ['mine@example.test'] });
    await relayMail();
    const declined = await asCustomer('POST', `/v1/customer/estimates/${estimate.id}/decline`, token, {
      reason: 'Too expensive for now',
    });
    assert.equal(declined.status, 200, declined.text);
    assert.equal((await call('GET', `/v1/estimates/${estimate.id}`)).body.data.decline_reason, 'Too expensive for now');
  });

  test("a visit request becomes a scheduled job when staff approve it; another customer's job is refused", async () => {
    const otherJob = await created('jobs', { title: 'Theirs', customer_id: theirs.id });
    const window = { starts_at: '2027-02-01T08:00:00Z', ends_at: '2027-02-01T12:00:00Z' };
    const refused = await asCustomer('POST', '/v1/customer/schedule-requests', token, {
      job_id: otherJob.id,
      preferred_windows: [window],
    });
    assert.equal(refused.status, 422);
    const asked = await asCustomer('POST', '/v1/customer/schedule-requests', token, {
      preferred_windows: [window],
      note: 'Boiler is making noises',
    });
    assert.equal(asked.status, 201, asked.text);
    const request = await call('GET', `/v1/schedule-requests/${asked.body.data.id}`);
    assert.equal(request.body.data.source, 'portal');
    assert.equal(request.body.data.customer_id, mine.id);
    const approved = await call('POST', `/v1/schedule-requests/${asked.body.data.id}/approve`, {
      scheduled_start: '2027-02-01T09:00:00Z',
      scheduled_end: '2027-02-01T10:00:00Z',
      title: 'Noisy boiler',
    });
    assert.equal(approved.status, 200, approved.text);
    const job = await call('GET', `/v1/jobs/${approved.body.data.job_id}`);
    assert.equal(job.body.data.status, 'scheduled');
    assert.equal(job.body.data.customer_id, mine.id);
    const seen = await asCustomer('GET', `/v1/customer/schedule-requests/${asked.body.data.id}`, token);
    assert.equal(seen.body.data.status, 'approved');
    assert.equal(seen.body.data.scheduled_start, '2027-02-01T09:00:00.000Z');
  });

  test('tickets: a support request from the portal, listed for them only', async () => {
    const opened = await asCustomer('POST', '/v1/customer/tickets', token, { subject: 'Radiator still cold' });
    assert.equal(opened.status, 201, opened.text);
    const staff = await call('GET', `/v1/tickets/${opened.body.data.id}`);
    assert.equal(staff.body.data.channel, 'portal');
    assert.equal(staff.body.data.customer_id, mine.id);
    await created('tickets', { subject: 'Someone else', customer_id: theirs.id });
    const list = await asCustomer('GET', '/v1/customer/tickets', token);
    assert.deepEqual(
      list.body.data.map((t: any) => t.subject),
      ['Radiator still cold'],
    );
  });

  test('help articles: published ones of their business only', async () => {
    const published = await created('knowledge-base-articles', { title: 'Bleeding radiators', body: 'Turn the key.' });
    await call('POST', `/v1/knowledge-base-articles/${published.id}/publish`);
    const draft = await created('knowledge-base-articles', { title: 'Internal pricing', body: 'Secret.' });
    const list = await asCustomer('GET', '/v1/customer/articles', token);
    const ids = list.body.data.map((a: any) => a.id);
    assert.ok(ids.includes(published.id));
    assert.ok(!ids.includes(draft.id));
    assert.equal((await asCustomer('GET', `/v1/customer/articles/${draft.id}`, token)).status, 404);
  });

  test("a cookie is accepted for changes only from the server's own pages", async () => {
    const cookie = { cookie: `fieldline_customer=${token}` };
    const fromElsewhere = await ctx.call('POST', '/v1/customer/tickets', {
      body: { subject: 'Forged' },
      headers: { ...cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(fromElsewhere.status, 403, fromElsewhere.text);
    const fromHere = await ctx.call('POST', '/v1/customer/tickets', {
      body: { subject: 'From the portal page' },
      headers: { ...cookie, origin: served.base, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(fromHere.status, 201, fromHere.text);
    const read = await ctx.call('GET', '/v1/customer/me', { headers: cookie });
    assert.equal(read.status, 200);
  });
});

describe('staff invite and revoke', () => {
  test('revoking ends sessions at once and stops codes; inviting mails a code and lifts it', async () => {
    const customer = await created('customers', { name: 'Revoked', email: 'revoked@example.test' });
    const token = await signIn(account.id, 'revoked@example.test');
    const revoked = await call('POST', `/v1/customers/${customer.id}/revoke-portal-access`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal((await asCustomer('GET', '/v1/customer/me', token)).status, 401);
    await startSignIn(account.id, 'revoked@example.test');
    assert.equal((await relayMail()).length, 0, 'no code for a revoked customer');

    const invited = await call('POST', `/v1/customers/${customer.id}/portal-invite`);
    assert.equal(invited.status, 200, invited.text);
    const { code, mail } = await mailedCode('revoked@example.test');
    assert.match(mail.text!, /invites you/);
    const verified = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: account.id, email: 'revoked@example.test', code },
    });
    assert.equal(verified.status, 200, verified.text);
    const events = await call('GET', '/v1/events?type=customer.portal_invited');
    assert.ok(events.body.data.some((event: any) => event.data.object.id === customer.id));
  });

  test('inviting a customer without an address is a 422', async () => {
    const customer = await created('customers', { name: 'No mail' });
    const invited = await call('POST', `/v1/customers/${customer.id}/portal-invite`);
    assert.equal(invited.status, 422, invited.text);
  });
});

describe("the customer pages' address", () => {
  test('an account chooses a slug unique across accounts; codes, links and pages follow it', async () => {
    const slug = `northwind-${Date.now().toString(36)}`;
    const initial = await call('GET', '/v1/account/customer-portal');
    assert.equal(initial.status, 200, initial.text);
    assert.equal(initial.body.data.slug, null);
    assert.match(initial.body.data.url, new RegExp(`/c/${account.id}$`));

    for (const [bad, message] of [
      ['North Wind', /lowercase letters/],
      ['documents', /reserved/],
      ['x', /lowercase letters/],
    ] as const) {
      const refused = await call('PATCH', '/v1/account/customer-portal', { slug: bad });
      assert.equal(refused.status, 422, refused.text);
      assert.equal(refused.body.errors[0].path, 'slug');
      assert.match(refused.body.errors[0].message, message);
    }
    const chosen = await call('PATCH', '/v1/account/customer-portal', { slug });
    assert.equal(chosen.status, 200, chosen.text);
    assert.match(chosen.body.data.url, new RegExp(`/c/${slug}$`));
    const taken = await ctx.call('PATCH', '/v1/account/customer-portal', { key: other.key, body: { slug } });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.body.errors[0].path, 'slug');
    assert.equal((await ctx.call('GET', '/v1/account/customer-portal', { key: other.key })).body.data.slug, null);

    await created('customers', { name: 'Slug Customer', email: 'slug@example.test' });
    await startSignIn(slug, 'slug@example.test');
    const { code, mail } = await mailedCode('slug@example.test');
    assert.match(mail.text!, new RegExp(`/c/${slug}/sign-in#token=`), 'the link names the slug');
    const verified = await ctx.call('POST', '/v1/customer/auth/verify', {
      body: { account_id: slug, email: 'slug@example.test', code },
    });
    assert.equal(verified.status, 200, verified.text);
    const me = await asCustomer('GET', '/v1/customer/me', verified.body.data.token);
    assert.equal(me.body.data.business.portal, slug);
    assert.equal(me.body.data.business.account_id, account.id);
    const page = await ctx.call('GET', `/c/${slug}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);

    const cleared = await call('PATCH', '/v1/account/customer-portal', { slug: null });
    assert.equal(cleared.body.data.slug, null);
    await startSignIn(slug, 'slug@example.test');
    assert.equal((await relayMail()).length, 0, 'a slug given up names no business');
    await startSignIn(account.id, 'slug@example.test');
    assert.match((await mailedCode('slug@example.test')).mail.text!, new RegExp(`/c/${account.id}/sign-in#`));
  });
});

describe('paying an invoice online', () => {
  let token: string;
  let customer: Record<string, any>;
  const LINES = [{ description: 'Repair', quantity: 1, unit_amount: 8_000 }];

  async function sentInvoice(customerId = customer.id) {
    const invoice = await created('invoices', { customer_id: customerId, line_items: LINES });
    assert.equal((await call('POST', `/v1/invoices/${invoice.id}/send`, { to: ['payer@example.test'] })).status, 200);
    await relayMail();
    return invoice;
  }

  before(async () => {
    customer = await created('customers', { name: 'Payer', email: 'payer@example.test' });
    token = await signIn(account.id, 'payer@example.test');
  });

  test('without Stripe connected the option is absent and paying says why', async () => {
    const invoice = await sentInvoice();
    assert.equal((await asCustomer('GET', '/v1/customer/me', token)).body.data.online_payments, false);
    const refused = await asCustomer('POST', `/v1/customer/invoices/${invoice.id}/checkout`, token, {});
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.code, 'payments_not_configured');
  });

  test('a Checkout Session for what is due, the same one on a second click, paid through the webhook', async () => {
    const keys = { secret_key: fakeSecretKey(), publishable_key: fakePublishableKey() };
    stripe.addAccount(keys.secret_key);
    assert.equal((await call('POST', '/v1/account/stripe', keys)).status, 200);
    const source = await call('POST', '/v1/inbound-sources', { provider: 'stripe', signing_secret: SIGNING_SECRET });
    assert.equal(source.status, 201, source.text);
    stripe.webhookTo({ url: `${served.base}${source.body.data.url_path}`, secret: SIGNING_SECRET });
    assert.equal((await asCustomer('GET', '/v1/customer/me', token)).body.data.online_payments, true);
    const invoice = await sentInvoice();

    const tooMuch = await asCustomer('POST', `/v1/customer/invoices/${invoice.id}/checkout`, token, { amount: 8_001 });
    assert.equal(tooMuch.status, 422);
    assert.equal(tooMuch.body.errors[0].path, 'amount');
    const first = await asCustomer('POST', `/v1/customer/invoices/${invoice.id}/checkout`, token, {});
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.data.amount, 8_000);
    assert.match(first.body.data.url, /^http:\/\/127\.0\.0\.1:\d+\/pay\/cs_/);
    const second = await asCustomer('POST', `/v1/customer/invoices/${invoice.id}/checkout`, token, {});
    assert.equal(second.body.data.id, first.body.data.id, 'a second click returns to the same session');
    const session = stripe.sessions.get(first.body.data.id)!;
    assert.equal(session.success_url, `${served.base}/c/${account.id}?paid=${invoice.id}`);
    assert.equal(session.payment_intent_data.metadata?.fieldline_invoice_id, invoice.id);

    // The customer pays on Stripe's page: Stripe reports it to the inbound source, which records it.
    const page = await fetch(first.body.data.url, { method: 'POST', redirect: 'manual' });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), session.success_url);
    const paid = await asCustomer('GET', `/v1/customer/invoices/${invoice.id}`, token);
    assert.equal(paid.body.data.status, 'paid');
    const again = await asCustomer('POST', `/v1/customer/invoices/${invoice.id}/checkout`, token, {});
    assert.equal(again.status, 409, 'a paid invoice is not paid twice');
    const payments = await call('GET', `/v1/payments?invoice_id=${invoice.id}`);
    assert.equal(payments.body.data.length, 1);
  });

  test("a PaymentIntent for part of what is due (Stripe.js), and none for another customer's invoice", async () => {
    const invoice = await sentInvoice();
    const intent = await asCustomer('POST', `/v1/customer/invoices/${invoice.id}/pay`, token, { amount: 3_000 });
    assert.equal(intent.status, 200, intent.text);
    assert.equal(intent.body.data.amount, 3_000);
    assert.match(intent.body.data.client_secret, /^pi_.+_secret_/);
    const someoneElse = await created('customers', { name: 'Else', email: 'else@example.test' });
    const theirs = await sentInvoice(someoneElse.id);
    const refused = await asCustomer('POST', `/v1/customer/invoices/${theirs.id}/pay`, token, {});
    assert.equal(refused.status, 404);
    const voided = await sentInvoice();
    assert.equal((await call('POST', `/v1/invoices/${voided.id}/void`)).status, 200);
    const onVoid = await asCustomer('POST', `/v1/customer/invoices/${voided.id}/pay`, token, {});
    assert.equal(onVoid.status, 409, onVoid.text);
    assert.match(onVoid.body.detail, /is void/);
  });
});

describe("a document's mailed link, without signing in", () => {
  const LINES = [{ description: 'Survey', quantity: 1, unit_amount: 6_000 }];

  /** Sends the document and answers the page link its mail carries. */
  async function mailedPage(collection: 'quotes' | 'invoices', customerId: string, email: string) {
    const title = collection === 'quotes' ? { title: 'Survey' } : {};
    const document = await created(collection, { customer_id: customerId, ...title, line_items: LINES });
    assert.equal((await call('POST', `/v1/${collection}/${document.id}/send`, { to: [email] })).status, 200);
    const [mail] = (await relayMail()).filter((m) => JSON.stringify(m.to).includes(email));
    const page = /(?:Pay it|Accept or decline it) online: (\S+)/.exec(mail.text!)![1];
    return { document, token: new URL(page).pathname.split('/')[3] };
  }

  test('the link shows the quote and accepts it as its customer; a forged link is a 404', async () => {
    const customer = await created('customers', { name: 'Linked', email: 'linked@example.test' });
    const { document, token } = await mailedPage('quotes', customer.id, 'linked@example.test');
    const shown = await ctx.call('GET', `/v1/customer/documents/${token}`);
    assert.equal(shown.status, 200, shown.text);
    assert.equal(shown.body.data.document.id, document.id);
    assert.equal(shown.body.data.document.status, 'sent');
    assert.equal(shown.body.data.business.name, 'Northwind Heating');
    const pdf = await ctx.app.request(shown.body.data.pdf_url);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');

    const forged = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    assert.equal((await ctx.call('GET', `/v1/customer/documents/${forged}`)).status, 404);
    assert.equal(
      (await ctx.call('POST', `/v1/customer/documents/${forged}/accept`, { body: { signed_name: 'X Y' } })).status,
      404,
    );
    assert.equal((await ctx.call('POST', `/v1/customer/documents/${token}/checkout`, { body: {} })).status, 404);

    const accepted = await ctx.call('POST', `/v1/customer/documents/${token}/accept`, {
      body: { signed_name: 'Lin Ked' },
    });
    assert.equal(accepted.status, 200, accepted.text);
    const staff = (await call('GET', `/v1/quotes/${document.id}`)).body.data;
    assert.equal(staff.status, 'accepted');
    assert.equal(staff.accepted_via, 'customer_portal');
    assert.equal(staff.accepted_by_name, 'Lin Ked');
    const again = await ctx.call('POST', `/v1/customer/documents/${token}/decline`, { body: {} });
    assert.equal(again.status, 409);
  });

  test("an invoice's link pays it on Stripe's page and returns to the link", async () => {
    const customer = await created('customers', { name: 'Linked payer', email: 'linkedpay@example.test' });
    const { document, token } = await mailedPage('invoices', customer.id, 'linkedpay@example.test');
    const shown = await ctx.call('GET', `/v1/customer/documents/${token}`);
    assert.equal(shown.body.data.online_payments, true, 'Stripe was connected by the suite above');
    assert.equal(shown.body.data.document.amount_due, 6_000);
    assert.equal(
      (await ctx.call('POST', `/v1/customer/documents/${token}/accept`, { body: { signed_name: 'X Y' } })).status,
      404,
    );
    const checkout = await ctx.call('POST', `/v1/customer/documents/${token}/checkout`, { body: {} });
    assert.equal(checkout.status, 200, checkout.text);
    const session = stripe.sessions.get(checkout.body.data.id)!;
    assert.equal(session.success_url, `${served.base}/c/documents/${token}?paid=${document.id}`);
    assert.equal((await fetch(checkout.body.data.url, { method: 'POST', redirect: 'manual' })).status, 303);
    const paid = await ctx.call('GET', `/v1/customer/documents/${token}`);
    assert.equal(paid.body.data.document.status, 'paid');
  });
});
