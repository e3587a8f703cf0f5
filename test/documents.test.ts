// Documents that leave: invoices, estimates, quotes and purchase orders print as PDF with the
// account's branding (read back with pdftotext, from Debian's poppler-utils), and sending one
// mails it with the PDF attached and a signed link, through the mail outbox to a real SMTP
// conversation (smtp-server on 127.0.0.1 plays the provider; mailparser reads what arrived),
// logged in /v1/deliveries.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import type { ParsedMail } from 'mailparser';
import { startSmtpInbox, type SmtpInbox } from './support/smtp-inbox.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { mailRelay } from '../src/mail/mail-module.ts';

let ctx: TestContext;
let account: TestAccount;
const accounts: string[] = [];
let smtp: SmtpInbox;
const inbox: ParsedMail[] = [];
/** Recipients the provider refuses for good (550). */
const refused = new Set<string>();
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

/** A 1x1 PNG: the smallest logo. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const pdfText = (pdf: Buffer): string => execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString();

// Reading a PDF back needs Debian's poppler-utils; CI installs it and requires it (.ci/run).
const hasPdftotext = !spawnSync('pdftotext', ['-v']).error;
if (!hasPdftotext && process.env.FIELDLINE_REQUIRE_PDFTOTEXT === '1')
  throw new Error('pdftotext is required: apt-get install poppler-utils');
/** A test that reads PDFs back: skipped on a machine without pdftotext. */
const readsPdf = { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) is not installed' };

async function download(path: string, key: string | null = account.key) {
  const response = await ctx.app.request(path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Runs the relay, and answers the mails that arrived meanwhile. */
async function relayMail(now?: number): Promise<ParsedMail[]> {
  const before = inbox.length;
  // Only this suite's accounts: on PostgreSQL other suites share the outbox.
  await ctx.runtime.use(mailRelay).deliver(now, accounts);
  return inbox.slice(before);
}

before(async () => {
  smtp = await startSmtpInbox({ mails: inbox, refuse: refused });
  ctx = await createTestContext({
    smtp: { url: smtp.url, from: 'Billing <billing@fieldline.test>' },
  });
  account = await ctx.newAccount('Northwind Heating');
  accounts.push(account.id);
  const branding = await call('PATCH', '/v1/account/branding', {
    business_name: 'Northwind Heating & Cooling Ltd',
    address: '12 Harbour Street\nBristol BS1 4QA',
    tax_id: 'GB123456789',
    footer: 'Bank: Fieldline Bank, IBAN GB00 TEST 0000 0000 0000 00. Thank you!',
    payment_terms_days: 14,
    time_zone: 'Asia/Tokyo',
  });
  assert.equal(branding.status, 200, branding.text);
});
after(async () => {
  await ctx.close();
  await smtp.close();
});

const LINES = [
  { description: 'Boiler service — annual', quantity: 1, unit_amount: 12_000 },
  { description: 'Pressure valve', quantity: 2, unit_amount: 4_550 },
];

async function customerWithInvoice(customer: Record<string, unknown>, invoice: Record<string, unknown> = {}) {
  const owner = await created('customers', { name: 'Ada Lovelace', ...customer });
  const draft = await created('invoices', {
    customer_id: owner.id,
    currency: 'EUR',
    tax_rate_bps: 825,
    line_items: LINES,
    memo: 'Parts under warranty for 2 years.',
    ...invoice,
  });
  return { customer: owner, invoice: draft };
}

describe('documents as PDF', () => {
  test(
    "an invoice prints its sender, customer, lines, tax and totals in its currency's minor units",
    readsPdf,
    async () => {
      const { invoice } = await customerWithInvoice({
        company: 'Analytical Engines',
        email: 'ada@example.test',
        address: { line1: '1 Engine Row', city: 'London', postal_code: 'N1 9GU', country: 'GB' },
      });
      const pdf = await download(`/v1/invoices/${invoice.id}/pdf`);
      assert.equal(pdf.status, 200);
      assert.equal(pdf.headers.get('content-type'), 'application/pdf');
      assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
      const text = pdfText(pdf.bytes);
      for (const expected of [
        'Northwind Heating & Cooling Ltd',
        '12 Harbour Street',
        'Tax id: GB123456789',
        'Invoice',
        invoice.id,
        'Ada Lovelace, Analytical Engines',
        '1 Engine Row',
        'Boiler service — annual',
        'Pressure valve',
        'EUR 120.00',
        'EUR 91.00', // 2 x 45.50
        'Subtotal',
        'EUR 211.00',
        'Tax (8.25 %)',
        'EUR 17.41', // 8.25 % of 211.00, rounded half away from zero
        'EUR 228.41',
        'Amount due',
        'Parts under warranty for 2 years.',
        'IBAN GB00 TEST',
      ])
        assert.ok(text.includes(expected), `the PDF says '${expected}':\n${text}`);
    },
  );

  test('amounts follow the currency: no decimals in yen, three in dinars', readsPdf, async () => {
    const yen = await customerWithInvoice({}, { currency: 'JPY', tax_rate_bps: 1000, line_items: [LINES[0]] });
    assert.match(pdfText((await download(`/v1/invoices/${yen.invoice.id}/pdf`)).bytes), /JPY 12,000\b(?!\.)/);
    const dinar = await customerWithInvoice({}, { currency: 'KWD', tax_rate_bps: 0, line_items: [LINES[1]] });
    assert.match(pdfText((await download(`/v1/invoices/${dinar.invoice.id}/pdf`)).bytes), /KWD 9\.100/);
  });

  test('a long invoice continues on further pages, every line printed', readsPdf, async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      description: `Radiator ${i + 1}`,
      quantity: 1,
      unit_amount: 100,
    }));
    const { invoice } = await customerWithInvoice({}, { line_items: many });
    const text = pdfText((await download(`/v1/invoices/${invoice.id}/pdf`)).bytes);
    assert.ok(text.split('\f').length > 2, 'more than one page');
    for (const line of many) assert.match(text, new RegExp(`${line.description}\\b`));
  });

  test(
    'estimates, quotes and purchase orders print too; a purchase order names its items and supplier',
    readsPdf,
    async () => {
      const customer = await created('customers', { name: 'Grace Hopper' });
      const estimate = await created('estimates', {
        customer_id: customer.id,
        title: 'New heat pump',
        line_items: LINES,
      });
      assert.match(pdfText((await download(`/v1/estimates/${estimate.id}/pdf`)).bytes), /Estimate[\s\S]*New heat pump/);
      const quote = await created('quotes', {
        customer_id: customer.id,
        title: 'Heat pump, fitted',
        line_items: LINES,
      });
      assert.match(pdfText((await download(`/v1/quotes/${quote.id}/pdf`)).bytes), /Quote[\s\S]*Heat pump, fitted/);
      const supplier = await created('suppliers', { name: 'Valves & Co', email: 'orders@valves.test' });
      const item = await created('inventory-items', { name: 'Thermostatic valve', sku: 'TV-15' });
      const order = await created('purchase-orders', {
        supplier_id: supplier.id,
        lines: [{ item_id: item.id, quantity: 12, unit_cost: 1_250 }],
      });
      const text = pdfText((await download(`/v1/purchase-orders/${order.id}/pdf`)).bytes);
      for (const expected of ['Purchase order', 'Valves & Co', 'Thermostatic valve — TV-15', 'USD 150.00'])
        assert.ok(text.includes(expected), `the PDF says '${expected}':\n${text}`);
    },
  );

  test("another account's document is a 404, like any object of theirs", async () => {
    const { invoice } = await customerWithInvoice({});
    const other = await ctx.newAccount('Elsewhere');
    const response = await download(`/v1/invoices/${invoice.id}/pdf`, other.key);
    assert.equal(response.status, 404);
  });
});

describe('sending documents', () => {
  test(
    "send mails the invoice to the customer's billing contact, with the PDF and a link that opens it",
    readsPdf,
    async () => {
      const { customer, invoice } = await customerWithInvoice({ email: 'ada@example.test' });
      await created('contacts', {
        customer_id: customer.id,
        first_name: 'Bill',
        last_name: 'Payer',
        email: 'accounts@example.test',
        role: 'billing',
      });
      const sent = await call('POST', `/v1/invoices/${invoice.id}/send`, { message: 'Thank you for your custom.' });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.body.data.status, 'open');
      assert.match(sent.body.data.due_date, /^\d{4}-\d{2}-\d{2}$/, 'due date from the payment terms');

      const [queued] = (await call('GET', `/v1/deliveries?resource_id=${invoice.id}`)).body.data;
      assert.equal(queued.status, 'queued');
      assert.equal(queued.channel, 'email');
      assert.equal(queued.recipient, 'accounts@example.test');
      assert.equal(queued.resource_type, 'invoices');

      const [mail] = await relayMail();
      assert.ok(mail, 'the mail arrived');
      assert.deepEqual(
        (Array.isArray(mail.to) ? mail.to : [mail.to!]).flatMap((to) => to.value.map((v) => v.address)),
        ['accounts@example.test'],
      );
      assert.equal(mail.subject, `Invoice ${invoice.id} from Northwind Heating & Cooling Ltd`);
      assert.match(mail.text!, /^Thank you for your custom\./);
      assert.match(mail.text!, /Amount due: EUR\u00a0228\.41 \(due /);
      const [attachment] = mail.attachments;
      assert.equal(attachment.contentType, 'application/pdf');
      assert.equal(attachment.filename, `${invoice.id}.pdf`);
      assert.match(pdfText(attachment.content), new RegExp(`Invoice[\\s\\S]*${invoice.id}[\\s\\S]*Status\\s+open`));

      const link = /View it online: (\S+)/.exec(mail.text!)![1];
      const path = new URL(link).pathname;
      const opened = await download(path, null);
      assert.equal(opened.status, 200);
      assert.equal(opened.headers.get('content-type'), 'application/pdf');
      assert.match(opened.headers.get('content-disposition')!, /^inline/);
      assert.ok(pdfText(opened.bytes).includes(invoice.id));
      const forged = path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      assert.equal((await download(forged, null)).status, 404);

      const [delivered] = (await call('GET', `/v1/deliveries?resource_id=${invoice.id}`)).body.data;
      assert.equal(delivered.status, 'sent');
      assert.equal(delivered.attempts, 1);
      assert.ok(delivered.provider_id, "the provider's message id");
      assert.ok(delivered.sent_at);
    },
  );

  test('explicit recipients, copies and a note; the due date follows the terms in the account time zone', async () => {
    const { invoice } = await customerWithInvoice({});
    const sent = await call('POST', `/v1/invoices/${invoice.id}/send`, {
      to: ['first@example.test', 'second@example.test'],
      cc: ['books@example.test'],
    });
    assert.equal(sent.status, 200, sent.text);
    // Tokyo's today + 14 days.
    const tokyoToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
    const due = new Date(`${tokyoToday}T00:00:00Z`);
    due.setUTCDate(due.getUTCDate() + 14);
    assert.equal(sent.body.data.due_date, due.toISOString().slice(0, 10));
    const [mail] = await relayMail();
    const addresses = (field: ParsedMail['to']) =>
      (Array.isArray(field) ? field : [field!]).flatMap((to) => to.value.map((v) => v.address));
    assert.deepEqual(addresses(mail.to), ['first@example.test', 'second@example.test']);
    assert.deepEqual(addresses(mail.cc), ['books@example.test']);
  });

  test('without an address to send to: 422, the invoice stays a draft and nothing is queued', async () => {
    const { invoice } = await customerWithInvoice({});
    const refusedSend = await call('POST', `/v1/invoices/${invoice.id}/send`, {});
    assert.equal(refusedSend.status, 422, refusedSend.text);
    assert.equal(refusedSend.body.errors[0].path, 'to');
    assert.equal((await call('GET', `/v1/invoices/${invoice.id}`)).body.data.status, 'draft');
    assert.deepEqual((await call('GET', `/v1/deliveries?resource_id=${invoice.id}`)).body.data, []);
    const bad = await call('POST', `/v1/invoices/${invoice.id}/send`, { to: ['not an address'] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].path, 'to.0');
  });

  test("a contact of another customer is refused; the contact's own address is used", async () => {
    const { invoice } = await customerWithInvoice({});
    const stranger = await created('customers', { name: 'Someone Else' });
    const theirs = await created('contacts', {
      customer_id: stranger.id,
      first_name: 'Eve',
      email: 'eve@example.test',
    });
    const refusedSend = await call('POST', `/v1/invoices/${invoice.id}/send`, { contact_id: theirs.id });
    assert.equal(refusedSend.status, 422);
    assert.equal(refusedSend.body.errors[0].path, 'contact_id');
    const ours = await created('contacts', {
      customer_id: invoice.customer_id,
      first_name: 'Al',
      email: 'al@example.test',
    });
    assert.equal((await call('POST', `/v1/invoices/${invoice.id}/send`, { contact_id: ours.id })).status, 200);
    const [mail] = await relayMail();
    assert.match(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', /al@example\.test/);
  });

  test('estimates and quotes mail the customer; a purchase order submitted mails its supplier', readsPdf, async () => {
    const customer = await created('customers', { name: 'Grace Hopper', email: 'grace@example.test' });
    const quote = await created('quotes', { customer_id: customer.id, title: 'Loft insulation', line_items: LINES });
    assert.equal((await call('POST', `/v1/quotes/${quote.id}/send`)).status, 200);
    const supplier = await created('suppliers', { name: 'Pipes Ltd', email: 'sales@pipes.test' });
    const item = await created('inventory-items', { name: 'Copper pipe 15mm', sku: 'CP-15' });
    const order = await created('purchase-orders', {
      supplier_id: supplier.id,
      lines: [{ item_id: item.id, quantity: 3, unit_cost: 999 }],
    });
    const submitted = await call('POST', `/v1/purchase-orders/${order.id}/submit`);
    assert.equal(submitted.status, 200, submitted.text);
    const mails = await relayMail();
    const bySubject = new Map(mails.map((mail) => [mail.subject, mail]));
    assert.ok(bySubject.get(`Quote ${quote.id} from Northwind Heating & Cooling Ltd`), 'the quote was mailed');
    const orderMail = bySubject.get(`Purchase order ${order.id} from Northwind Heating & Cooling Ltd`);
    assert.ok(orderMail, 'the order was mailed');
    assert.match(orderMail.to && !Array.isArray(orderMail.to) ? orderMail.to.text : '', /sales@pipes\.test/);
    assert.match(pdfText(orderMail.attachments[0].content), /Copper pipe 15mm — CP-15/);
  });

  test('a mail the provider refuses for good fails its delivery and emits delivery.failed', async () => {
    refused.add('gone@example.test');
    const { invoice } = await customerWithInvoice({ email: 'gone@example.test' });
    assert.equal((await call('POST', `/v1/invoices/${invoice.id}/send`)).status, 200);
    // The relay retries with backoff; step the clock past each wait until it gives up.
    let now = Date.now();
    for (let attempt = 0; attempt < 12; attempt++) {
      await relayMail(now);
      now += 2 * 3_600_000;
    }
    const [delivery] = (await call('GET', `/v1/deliveries?resource_id=${invoice.id}`)).body.data;
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.attempts, 12);
    assert.match(delivery.error, /550|no such mailbox/);
    const events = (await call('GET', '/v1/events?type=delivery.failed')).body.data;
    assert.ok(
      events.some((event: any) => event.data.object.id === delivery.id && event.data.object.status === 'failed'),
      'delivery.failed carries the delivery',
    );
  });
});

describe('branding', () => {
  test('a bad time zone, currency or terms is a 422 that changes nothing', async () => {
    for (const body of [
      { time_zone: 'Mars/Olympus' },
      { currency: 'EURO' },
      { payment_terms_days: -1 },
      { logo: 'x' },
    ]) {
      const response = await call('PATCH', '/v1/account/branding', body);
      assert.equal(response.status, 422, JSON.stringify(body));
    }
    const branding = (await call('GET', '/v1/account/branding')).body.data;
    assert.equal(branding.time_zone, 'Asia/Tokyo');
    assert.equal(branding.payment_terms_days, 14);
  });

  test('a logo is a PNG or JPEG, checked by its bytes, and prints on documents', async () => {
    const upload = (bytes: Buffer, type: string) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type }), 'logo');
      return ctx.app.request('/v1/account/branding/logo', {
        method: 'POST',
        headers: { authorization: `Bearer ${account.key}` },
        body: form,
      });
    };
    assert.equal((await upload(Buffer.from('<svg/>'), 'image/png')).status, 415);
    const accepted = await upload(PNG, 'image/png');
    assert.equal(accepted.status, 200);
    assert.equal(((await accepted.json()) as any).data.logo_content_type, 'image/png');
    const { invoice } = await customerWithInvoice({});
    const pdf = await download(`/v1/invoices/${invoice.id}/pdf`);
    assert.equal(pdf.status, 200);
    // The image, and its alpha channel as a soft mask.
    const images = pdf.bytes.toString('latin1').match(/\/Subtype \/Image/g) ?? [];
    assert.equal(images.length, 2, 'the logo is embedded');
    const removed = await ctx.app.request('/v1/account/branding/logo', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${account.key}` },
    });
    assert.equal(((await removed.json()) as any).data.logo_content_type, null);
  });
});
