// Reports: asked for with 202, made by the report worker (driven here drain by drain), and
// downloaded as CSV (parsed back by RFC 4180's grammar), XLSX (read back with exceljs) or PDF
// (read back with pdftotext). Rows are checked against data whose times straddle the account's
// day boundaries; bad input changes nothing; a report whose node died is made again.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { systemQuery } from '../src/db/system-query.ts';
import { reportWorkerKey } from '../src/reports/report-worker.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { parseCsv } from './support/csv.ts';

let ctx: TestContext;
let account: TestAccount;
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

const hasPdftotext = !spawnSync('pdftotext', ['-v']).error;
const readsPdf = { skip: hasPdftotext ? false : 'pdftotext (poppler-utils) is not installed' };
const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString();

const worker = () => ctx.runtime.use(reportWorkerKey);
/** One drain of the worker over this suite's account, at `now`. */
const make = (now = Date.now()) => worker().run(now, [account.id]);

async function ask(body: Record<string, unknown>, key = account.key) {
  const response = await call('POST', '/v1/reports', body, key);
  assert.equal(response.status, 202, response.text);
  assert.equal(response.headers.get('location'), `/v1/reports/${response.body.data.id}`);
  return response.body.data as Record<string, any>;
}

async function download(id: string, key = account.key) {
  const response = await ctx.app.request(`/v1/reports/${id}/download`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Asks for a report, makes it, and answers the report and its file. */
async function made(body: Record<string, unknown>) {
  const report = await ask(body);
  assert.equal(report.status, 'queued');
  await make();
  const done = (await call('GET', `/v1/reports/${report.id}`)).body.data;
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  const file = await download(report.id);
  assert.equal(file.status, 200);
  assert.equal(done.bytes, file.bytes.length);
  return { report: done, file };
}

let customers: { ada: string; bob: string };
let technician: string;

before(async () => {
  // A PDF of more than 10 rows fails (the limit is 20,000 by default).
  ctx = await createTestContext({ reports: { pdfMaxRows: 10 } });
  account = await ctx.newAccount('Harbour Plumbing');
  const branding = await call('PATCH', '/v1/account/branding', { time_zone: 'America/New_York' });
  assert.equal(branding.status, 200, branding.text);
  customers = {
    ada: (await created('customers', { name: 'Ada, "the Countess"' })).id,
    bob: (await created('customers', { name: '=HYPERLINK("http://evil.example")' })).id,
  };
  technician = (await created('users', { name: 'Tess Tech', email: 'tess@example.test', role: 'technician' })).id;
});
after(() => ctx.close());

/** A job of `customer`, completed at `at` (set in the database: the API stamps now). */
async function completedJob(title: string, customer: string, at: string) {
  const job = await created('jobs', { title, customer_id: customer });
  await systemQuery(ctx.db, {
    sql: `UPDATE jobs SET status = 'completed', completed_at = $3, technician_id = $4
           WHERE account_id = $1 AND id = $2`,
    parameters: [account.id, job.id, at, technician],
  });
  return job.id as string;
}

describe('report types', () => {
  test("jobs_completed as CSV: the account's local days, RFC 4180 quoting, formulas neutralised", async () => {
    // New York is UTC-5 in early March: its 2 March runs from 05:00 UTC.
    await completedJob('Before', customers.ada, '2026-03-02T04:59:00Z');
    const first = await completedJob('Leak, "urgent"', customers.ada, '2026-03-02T05:00:00Z');
    const last = await completedJob('-2+3 fitting', customers.bob, '2026-03-04T04:59:00Z');
    await completedJob('After', customers.bob, '2026-03-04T05:00:00Z');
    const { report, file } = await made({
      type: 'jobs_completed',
      format: 'csv',
      params: { from: '2026-03-02', to: '2026-03-03' },
    });
    assert.equal(file.headers.get('content-type'), 'text/csv; charset=utf-8; header=present');
    const name = `jobs_completed-${report.id}.csv`;
    assert.equal(file.headers.get('content-disposition'), `attachment; filename="${name}"; filename*=UTF-8''${name}`);
    const text = file.bytes.toString('utf8');
    assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text), 'every record ends in CRLF');
    assert.deepEqual(parseCsv(text), [
      ['Job', 'Title', 'Customer', 'Technician', 'Scheduled (America/New_York)', 'Completed (America/New_York)'],
      [first, 'Leak, "urgent"', 'Ada, "the Countess"', 'Tess Tech', '', '2026-03-02 00:00'],
      [last, "'-2+3 fitting", `'=HYPERLINK("http://evil.example")`, 'Tess Tech', '', '2026-03-03 23:59'],
    ]);
    assert.equal(report.row_count, 2);
  });

  test('revenue_by_customer as XLSX: per customer and currency, never summed across currencies', async () => {
    const invoice = async (customer: string, currency: string, amount: number, paid = 0) => {
      const row = await created('invoices', {
        customer_id: customer,
        currency,
        line_items: [{ description: 'Work', quantity: 1, unit_amount: amount }],
      });
      assert.equal((await call('POST', `/v1/invoices/${row.id}/send`, { to: ['x@example.test'] })).status, 200);
      if (paid) {
        const payment = await call('POST', `/v1/invoices/${row.id}/payments`, {
          amount: paid,
          currency,
          method: 'cash',
        });
        assert.equal(payment.status, 201, payment.text);
      }
    };
    await invoice(customers.ada, 'USD', 10_000, 2_500);
    await invoice(customers.ada, 'USD', 5_000);
    await invoice(customers.ada, 'EUR', 7_000, 7_000);
    await invoice(customers.bob, 'USD', 1_234);
    const draft = await created('invoices', {
      customer_id: customers.bob,
      currency: 'USD',
      line_items: [{ description: 'Not sent', quantity: 1, unit_amount: 99_999 }],
    });
    assert.ok(draft.id);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(Date.now());
    const { file } = await made({ type: 'revenue_by_customer', format: 'xlsx', params: { from: today, to: today } });
    assert.equal(file.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file.bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    assert.deepEqual(rows, [
      [
        'Customer id',
        'Customer',
        'Currency',
        'Invoices',
        'Invoiced (minor units)',
        'Paid (minor units)',
        'Outstanding (minor units)',
      ],
      // Names sort `=` before `A`; the XLSX cell is text, never a formula.
      [customers.bob, '=HYPERLINK("http://evil.example")', 'USD', 1, 1_234, 0, 1_234],
      [customers.ada, 'Ada, "the Countess"', 'EUR', 1, 7_000, 7_000, 0],
      [customers.ada, 'Ada, "the Countess"', 'USD', 2, 15_000, 2_500, 12_500],
    ]);
    assert.equal(sheet.getCell('B2').type, ExcelJS.ValueType.String);
  });

  test(
    'invoice_aging as PDF: buckets by days late on a given day, money printed in its currency',
    readsPdf,
    async () => {
      const { rows } = await agingFixture();
      const { report, file } = await made({ type: 'invoice_aging', format: 'pdf', params: { as_of: '2026-05-01' } });
      assert.equal(file.headers.get('content-type'), 'application/pdf');
      assert.equal(file.bytes.subarray(0, 5).toString(), '%PDF-');
      const text = pdfText(file.bytes);
      assert.match(text, /Invoice aging/);
      assert.match(text, /Harbour Plumbing/);
      for (const [id, due, late, bucket, amount] of rows) {
        assert.match(text, new RegExp(`${id}.*${due}\\s+${late}\\s+${bucket.replace('+', '\\+')}\\s+${amount}`));
      }
      assert.ok(report.row_count >= rows.length);
    },
  );

  test('inventory_valuation and technician_timesheets as CSV', async () => {
    const item = await created('inventory-items', { sku: 'VLV-1', name: 'Valve', unit_cost: 1_250, currency: 'USD' });
    await systemQuery(ctx.db, {
      sql: 'UPDATE inventory_items SET quantity_on_hand = 3 WHERE account_id = $1 AND id = $2',
      parameters: [account.id, item.id],
    });
    await created('inventory-items', { sku: 'SHELF-1', name: 'Empty shelf', unit_cost: 10 });
    const valuation = await made({ type: 'inventory_valuation', format: 'csv', params: {} });
    assert.deepEqual(parseCsv(valuation.file.bytes.toString()).slice(1), [
      [item.id, 'VLV-1', 'Valve', '3', 'USD', '1250', '3750'],
    ]);

    const entry = await created('time-entries', { technician_id: technician, started_at: '2026-04-10T13:00:00Z' });
    await systemQuery(ctx.db, {
      sql: `UPDATE time_entries SET status = 'closed', ended_at = '2026-04-10T15:30:00Z', duration_minutes = 150
             WHERE account_id = $1 AND id = $2`,
      parameters: [account.id, entry.id],
    });
    const sheets = await made({
      type: 'technician_timesheets',
      format: 'csv',
      params: { from: '2026-04-10', to: '2026-04-10', technician_id: technician },
    });
    assert.deepEqual(parseCsv(sheets.file.bytes.toString()).slice(1), [
      ['Tess Tech', entry.id, '', '2026-04-10 09:00', '2026-04-10 11:30', '150'],
    ]);
  });
});

describe('campaign results and expiry', () => {
  test('campaign_results as CSV: campaigns started within the days, with their counts', async () => {
    const template = await created('email-templates', { name: 'Spring', subject: 'Hi', text_body: 'Hello' });
    const started = await created('campaigns', { name: 'Spring tune-up', template_id: template.id });
    await created('campaigns', { name: 'Never sent', template_id: template.id });
    await systemQuery(ctx.db, {
      sql: `UPDATE campaigns SET status = 'sent', started_at = '2026-04-01T14:00:00Z',
                   completed_at = '2026-04-01T14:05:00Z', recipient_count = 10, sent_count = 8, skipped_count = 2
             WHERE account_id = $1 AND id = $2`,
      parameters: [account.id, started.id],
    });
    const { file } = await made({
      type: 'campaign_results',
      format: 'csv',
      params: { from: '2026-04-01', to: '2026-04-30' },
    });
    assert.deepEqual(parseCsv(file.bytes.toString()).slice(1), [
      [started.id, 'Spring tune-up', 'sent', '2026-04-01 10:00', '2026-04-01 10:05', '10', '8', '2'],
    ]);
  });

  test('a PDF over its row limit fails with the reason, and report.failed', async () => {
    for (let n = 0; n < 11; n++)
      await created('inventory-items', { sku: `BULK-${n}`, name: `Bulk ${n}`, unit_cost: 1 });
    await systemQuery(ctx.db, {
      sql: "UPDATE inventory_items SET quantity_on_hand = 1 WHERE account_id = $1 AND sku LIKE 'BULK-%'",
      parameters: [account.id],
    });
    const report = await ask({ type: 'inventory_valuation', format: 'pdf' });
    await make();
    const done = (await call('GET', `/v1/reports/${report.id}`)).body.data;
    assert.equal(done.status, 'failed');
    assert.equal(done.error, 'more than 10 rows: too many for a PDF (ask for CSV or XLSX)');
    const events = (await call('GET', '/v1/events?type=report.failed&limit=100')).body.data;
    assert.equal(events.filter((event: any) => event.data.object.id === report.id).length, 1);
    assert.equal((await download(report.id)).status, 409);
  });

  test('a file past expires_at is removed, and its download is 409', async () => {
    const { report } = await made({ type: 'inventory_valuation', format: 'csv' });
    await make(Date.parse(report.expires_at) - 60_000);
    assert.equal((await download(report.id)).status, 200, 'kept until it expires');
    await make(Date.parse(report.expires_at) + 60_000);
    const gone = await download(report.id);
    assert.equal(gone.status, 409);
    assert.match(JSON.parse(gone.bytes.toString()).detail, /expired/);
  });
});

/** Open invoices due on known days, and what the aging report as of 2026-05-01 prints for each. */
async function agingFixture() {
  // Amounts print with a no-break space after the currency: matched by \\s.
  const cases: [string, number, string, string, string][] = [
    ['2026-05-10', 0, 'current', 'USD', 'USD\\s10\\.00'],
    ['2026-04-01', 30, '1-30', 'USD', 'USD\\s10\\.00'],
    ['2026-03-01', 61, '61-90', 'JPY', 'JPY\\s1,000'],
    ['2025-12-01', 151, '90+', 'USD', 'USD\\s10\\.00'],
  ];
  const rows: [string, string, number, string, string][] = [];
  for (const [due, late, bucket, currency, amount] of cases) {
    const invoice = await created('invoices', {
      customer_id: customers.ada,
      currency,
      due_date: due,
      line_items: [{ description: 'Work', quantity: 1, unit_amount: 1_000 }],
    });
    assert.equal((await call('POST', `/v1/invoices/${invoice.id}/send`, { to: ['x@example.test'] })).status, 200);
    rows.push([invoice.id, due, late, bucket, amount]);
  }
  return { rows };
}

describe('bad input', () => {
  const count = async () => (await call('GET', '/v1/reports?count=true&limit=1')).body.page.total;

  const refused = [
    [{ type: 'profit_forecast', format: 'csv' }, 'type'],
    [{ type: 'jobs_completed', format: 'docx', params: { from: '2026-01-01', to: '2026-01-02' } }, 'format'],
    [{ type: 'jobs_completed', format: 'csv', params: { from: 'yesterday', to: '2026-01-02' } }, 'params.from'],
    [{ type: 'jobs_completed', format: 'csv', params: { to: '2026-01-02' } }, 'params.from'],
    [{ type: 'jobs_completed', format: 'csv', params: { from: '2026-02-01', to: '2026-01-01' } }, 'params.to'],
    [{ type: 'jobs_completed', format: 'csv', params: { from: '2000-01-01', to: '2026-01-01' } }, 'params.to'],
    [{ type: 'invoice_aging', format: 'csv', params: { currency: 'dollars' } }, 'params.currency'],
    [{ type: 'invoice_aging', format: 'csv', params: { colour: 'red' } }, 'params'],
    [{ type: 'inventory_valuation', format: 'pdf', params: [] }, 'params'],
  ] as const;
  for (const [body, path] of refused) {
    test(`${JSON.stringify(body)}: 422 at ${path}, nothing kept`, async () => {
      const before = await count();
      const response = await call('POST', '/v1/reports', body);
      assert.equal(response.status, 422, response.text);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.ok(
        response.body.errors.some((error: { path: string }) => error.path === path),
        `an error at ${path}: ${response.text}`,
      );
      assert.equal(await count(), before);
    });
  }

  test("another account's report is not found; a report not made yet cannot be downloaded (409)", async () => {
    const report = await ask({ type: 'inventory_valuation', format: 'csv' });
    const early = await download(report.id);
    assert.equal(early.status, 409);
    assert.match(JSON.parse(early.bytes.toString()).detail, /queued/);
    await make();
    const other = await ctx.newAccount('Rival Plumbing');
    assert.equal((await call('GET', `/v1/reports/${report.id}`, undefined, other.key)).status, 404);
    assert.equal((await download(report.id, other.key)).status, 404);
    assert.equal((await download('rpt_01JD3NOTAREPORT0000000000')).status, 404);
    assert.equal((await download(report.id)).status, 200);
  });
});

describe('crash safety', () => {
  test('a report whose node died is made again once its lease ends, with report.succeeded', async () => {
    const report = await ask({ type: 'inventory_valuation', format: 'xlsx' });
    const start = Date.now();
    // A node claims it, then dies before finishing.
    const [claimed] = await worker().claim(start, [account.id]);
    assert.equal(claimed.id, report.id);
    assert.equal((await call('GET', `/v1/reports/${report.id}`)).body.data.status, 'running');
    assert.equal(await make(start + 60_000), 0, 'the lease holds: no other node takes it');
    assert.equal(await make(start + 31 * 60_000), 1, 'once it ends, the next drain makes it');
    const done = (await call('GET', `/v1/reports/${report.id}`)).body.data;
    assert.equal(done.status, 'succeeded');
    assert.equal(done.attempts, 2);
    const events = (await call('GET', '/v1/events?type=report.succeeded&limit=100')).body.data;
    assert.equal(events.filter((event: any) => event.data.object.id === report.id).length, 1);
  });

  test('a report cut short every try fails with report.failed', async () => {
    const report = await ask({ type: 'inventory_valuation', format: 'csv' });
    let now = Date.now();
    for (let tries = 0; tries < 3; tries++) {
      await worker().claim(now, [account.id]);
      now += 31 * 60_000;
    }
    await make(now);
    const done = (await call('GET', `/v1/reports/${report.id}`)).body.data;
    assert.equal(done.status, 'failed');
    assert.match(done.error, /Gave up after 3 tries/);
    assert.equal((await download(report.id)).status, 409);
    const events = (await call('GET', '/v1/events?type=report.failed&limit=100')).body.data;
    assert.equal(events.filter((event: any) => event.data.object.id === report.id).length, 1);
  });
});
