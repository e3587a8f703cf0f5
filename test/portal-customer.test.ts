// The customer pages in a real browser (Debian's Chromium): an end customer receives a code by
// mail (smtp-server on 127.0.0.1), signs in at /c/{slug} (the address the business chose),
// accepts a quote with their typed name, asks for a visit, and pays an invoice on the Stripe
// fake's payment page; staff then see each change through the API and its events.
// Phone-sized viewport: the pages are mobile first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { startSmtpInbox, type SmtpInbox } from './support/smtp-inbox.ts';
import { browserSkipReason, startPortal, type PortalSession } from './support/browser.ts';
import { fakePublishableKey, fakeSecretKey, startStripeFake, type StripeFake } from './support/stripe-fake.ts';
import { mailRelay } from '../src/mail/mail-module.ts';
import type { TestAccount } from './support/test-context.ts';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

/** axe-core's WCAG 2.0 and 2.1, A and AA rules, run in the page. */
async function wcagViolations(page: PortalSession['page']): Promise<string[]> {
  // Evaluated through the DevTools protocol: the pages' Content-Security-Policy refuses injected scripts.
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...args: unknown[]) => Promise<any> } }).axe;
    const { violations } = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return violations.map(
      (v: { id: string; nodes: { target: string[] }[] }) =>
        `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
  return found;
}

const SIGNING_SECRET = 'whsec_test_customer_pages_secret_1';
const LINES = [{ description: 'Radiator replacement', quantity: 1, unit_amount: 24_000 }];

describe('a customer signs in, accepts a quote, asks for a visit and pays', { skip: browserSkipReason() }, () => {
  let portal: PortalSession;
  let smtp: SmtpInbox;
  let stripe: StripeFake;
  let account: TestAccount;
  const inbox: ParsedMail[] = [];
  const slug = `harbour-${Date.now().toString(36)}`;

  const staff = async (method: string, path: string, body?: unknown) => {
    const response = await portal.t.call(method, path, { key: account.key, body });
    assert.ok(response.status < 300, `${method} ${path}: ${response.text}`);
    return response.body.data;
  };
  const events = async (type: string) =>
    (await portal.t.call('GET', `/v1/events?type=${type}`, { key: account.key })).body.data as any[];

  before(async () => {
    smtp = await startSmtpInbox({ mails: inbox });
    stripe = await startStripeFake();
    portal = await startPortal({
      viewport: { width: 390, height: 844 },
      smtp: { url: smtp.url, from: 'shop@fieldline.test' },
      stripe: stripe.api,
    });
    account = await portal.t.newAccount('Harbour Heating');
  });
  after(async () => {
    await portal?.close();
    await stripe?.close();
    await smtp.close();
  });

  it('goes from a mailed code to an accepted quote, a visit request and a paid invoice', async () => {
    const { page } = portal;
    // The business: a customer, a quote and an invoice sent to them, Stripe connected.
    const customer = await staff('POST', '/v1/customers', { name: 'Ada Lovelace', email: 'ada@customer.test' });
    const quote = await staff('POST', '/v1/quotes', {
      customer_id: customer.id,
      title: 'New radiators',
      line_items: LINES,
    });
    await staff('POST', `/v1/quotes/${quote.id}/send`);
    const invoice = await staff('POST', '/v1/invoices', {
      customer_id: customer.id,
      line_items: LINES,
      currency: 'EUR',
    });
    await staff('POST', `/v1/invoices/${invoice.id}/send`);
    const keys = { secret_key: fakeSecretKey(), publishable_key: fakePublishableKey() };
    stripe.addAccount(keys.secret_key, 'Harbour Heating Ltd');
    await staff('POST', '/v1/account/stripe', keys);
    const source = await staff('POST', '/v1/inbound-sources', { provider: 'stripe', signing_secret: SIGNING_SECRET });
    stripe.webhookTo({ url: `${portal.base}${source.url_path}`, secret: SIGNING_SECRET });

    // Sign in with the code from the mail, at the address the business chose.
    await staff('PATCH', '/v1/account/customer-portal', { slug });
    await page.goto(`/c/${slug}`);
    await page.getByLabel('Your email address').fill('ada@customer.test');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByRole('status').waitFor();
    await portal.t.runtime.use(mailRelay).deliver(undefined, [account.id]);
    const mail = inbox.find((m) => m.subject?.includes('sign-in code'));
    assert.ok(mail, 'the code arrived by mail');
    const code = /: (\d{6})\n/.exec(mail.text!)![1];
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Hello, Ada Lovelace' }).waitFor();
    await portal.screenshot('customer-1-signed-in');

    // Accept the quote with a typed name.
    const quoteRow = page.locator(`li[data-id="${quote.id}"]`);
    await quoteRow.getByLabel('Type your full name to accept').fill('Ada Lovelace');
    await quoteRow.getByRole('button', { name: 'Accept' }).click();
    await quoteRow.getByText('signed by Ada Lovelace').waitFor();
    const accepted = await staff('GET', `/v1/quotes/${quote.id}`);
    assert.equal(accepted.status, 'accepted');
    assert.equal(accepted.accepted_via, 'customer_portal');
    assert.ok((await events('quote.accepted')).some((event) => event.data.object.id === quote.id));

    // Ask for a visit.
    await page.getByLabel('Day', { exact: true }).fill('2027-05-03');
    await page.getByLabel('Time of day').selectOption('afternoon');
    await page.getByLabel('What is it about?').fill('The boiler knocks at night');
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('we will confirm a time').waitFor();
    const [request] = (
      await portal.t.call('GET', `/v1/schedule-requests?customer_id=${customer.id}`, {
        key: account.key,
      })
    ).body.data;
    assert.equal(request.note, 'The boiler knocks at night');
    assert.equal(request.source, 'portal');
    assert.ok((await events('schedule_request.created')).some((event) => event.data.object.id === request.id));
    await portal.screenshot('customer-2-quote-accepted-visit-requested');

    // Pay the invoice on Stripe's (the fake's) payment page, and come back.
    await page.locator(`li[data-id="${invoice.id}"]`).getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('button', { name: 'Pay now' }).click();
    await page.getByText('your payment is being confirmed').waitFor();
    await page.locator(`li[data-id="${invoice.id}"]`).getByText('paid', { exact: true }).waitFor();
    await portal.screenshot('customer-3-paid');
    const paid = await staff('GET', `/v1/invoices/${invoice.id}`);
    assert.equal(paid.status, 'paid');
    assert.equal(paid.amount_due, 0);
    const [payment] = await staff('GET', `/v1/payments?invoice_id=${invoice.id}`);
    assert.equal(payment.amount, invoice.total);
    assert.match(payment.reference, /^pi_/);
    assert.ok((await events('invoice.paid')).some((event) => event.data.object.id === invoice.id));
    assert.deepEqual(portal.pageErrors, []);
  });

  it('reads well on a phone: no WCAG A/AA violation, no sideways scrolling, no shift as records arrive', async () => {
    const { page } = portal;
    await page.addInitScript(() => {
      const scope = window as unknown as { layoutShift: number };
      scope.layoutShift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[])
          if (!entry.hadRecentInput) scope.layoutShift += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(`/c/${slug}`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Hello, Ada Lovelace' }).waitFor();
    const shift = await page.evaluate(() => (window as unknown as { layoutShift: number }).layoutShift);
    assert.ok(shift < 0.1, `cumulative layout shift ${shift.toFixed(3)} as the records loaded`);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    assert.deepEqual(await wcagViolations(page), [], 'the signed-in page');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Your email address').waitFor();
    assert.deepEqual(await wcagViolations(page), [], 'the sign-in page');
    // Focus order: the address, then its button.
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'email');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Send me a code');
    assert.deepEqual(portal.pageErrors, []);
  });
});
