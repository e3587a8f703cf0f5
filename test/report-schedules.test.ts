// Report schedules: a weekly or monthly report, at a local hour in the account's time zone,
// covering the period just ended, made once per period by the schedule sweep (driven here on a
// moved clock) and mailed with the file attached through the mail outbox to a real SMTP
// conversation (smtp-server on 127.0.0.1; mailparser reads what arrived).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMail } from 'mailparser';
import { startSmtpInbox, type SmtpInbox } from './support/smtp-inbox.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { mailRelay } from '../src/mail/mail-module.ts';
import { reportWorkerKey } from '../src/reports/report-worker.ts';
import { scheduleSweepKey } from '../src/reports/schedule-sweep.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { parseCsv } from './support/csv.ts';

let ctx: TestContext;
let account: TestAccount;
let smtp: SmtpInbox;
const inbox: ParsedMail[] = [];
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const newYork = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** The New York calendar day of an instant, as YYYY-MM-DD. */
const newYorkDay = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(at);
const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The sweep, the report worker and the mail relay at `at`, over this suite's account; answers the mails. */
async function runAt(now: number): Promise<{ reports: string[]; mails: ParsedMail[] }> {
  const reports = await ctx.runtime.use(scheduleSweepKey).sweep({ now, accountIds: [account.id] });
  await ctx.runtime.use(reportWorkerKey).run(now, [account.id]);
  const before = inbox.length;
  await ctx.runtime.use(mailRelay).deliver(now, [account.id]);
  return { reports, mails: inbox.slice(before) };
}

before(async () => {
  smtp = await startSmtpInbox({ mails: inbox });
  ctx = await createTestContext({
    smtp: { url: smtp.url, from: 'Reports <reports@fieldline.test>' },
  });
  account = await ctx.newAccount('Harbour Plumbing');
  const branding = await call('PATCH', '/v1/account/branding', { time_zone: 'America/New_York' });
  assert.equal(branding.status, 200, branding.text);
});
after(async () => {
  await ctx.close();
  await smtp.close();
});

describe('report schedules', () => {
  test('weekly: made once per week at the local hour, covering the week before, mailed as an attachment', async () => {
    const customer = await created('customers', { name: 'Ada' });
    const job = await created('jobs', { title: 'Boiler', customer_id: customer.id });
    // Runs Mondays at 07:00 New York time.
    const schedule = await created('report-schedules', {
      name: 'Weekly jobs',
      type: 'jobs_completed',
      format: 'csv',
      cadence: 'weekly',
      weekday: 1,
      hour: 7,
      recipients: ['owner@example.test', 'office@example.test'],
    });
    const due = Date.parse(schedule.next_run_at);
    assert.equal(newYork.format(due), 'Mon 07:00', 'the next Monday, 07:00 local');
    assert.ok(due > Date.now());
    // The suite's clock moves to that Monday (ahead of the real one: mail queued now is due by then).
    const monday = newYorkDay(due);
    const lastWeek = { from: addDays(monday, -7), to: addDays(monday, -1) };
    // Completed on the Sunday before at 23:30 in New York (7.5 hours before 07:00 Monday): last week's.
    await systemQuery(ctx.db, {
      sql: `UPDATE jobs SET status = 'completed', completed_at = $3 WHERE account_id = $1 AND id = $2`,
      parameters: [account.id, job.id, new Date(due - 7.5 * HOUR).toISOString()],
    });
    assert.deepEqual((await runAt(due - MINUTE)).reports, [], 'not before 07:00 local');
    const { reports, mails } = await runAt(due + 5 * MINUTE);
    assert.equal(reports.length, 1);
    const report = (await call('GET', `/v1/reports/${reports[0]}`)).body.data;
    assert.deepEqual(report.params, lastWeek);
    assert.equal(report.status, 'succeeded');
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.deepEqual(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : [], [
      'owner@example.test',
      'office@example.test',
    ]);
    assert.equal(mail.subject, `Weekly jobs: Jobs completed ${lastWeek.from} to ${lastWeek.to}`);
    assert.equal(mail.attachments.length, 1);
    assert.equal(mail.attachments[0].filename, `jobs_completed-${lastWeek.from}.csv`);
    const rows = parseCsv(mail.attachments[0].content.toString());
    assert.deepEqual(
      rows.slice(1).map((row) => [row[0], row[5]]),
      [[job.id, `${lastWeek.to} 23:30`]],
    );

    // Swept again the same week, on any node: nothing more.
    assert.deepEqual(await runAt(due + 10 * MINUTE), { reports: [], mails: [] });
    assert.deepEqual(await runAt(due + 3 * DAY), { reports: [], mails: [] });
    const after = (await call('GET', `/v1/report-schedules/${schedule.id}`)).body.data;
    assert.equal(newYork.format(Date.parse(after.next_run_at)), 'Mon 07:00');
    assert.equal(newYorkDay(Date.parse(after.next_run_at)), addDays(monday, 7), 'the Monday after');
    assert.equal(after.last_run_on, monday);
    assert.equal(after.last_report_id, reports[0]);
    // The next week: one more.
    const next = await runAt(Date.parse(after.next_run_at));
    assert.equal(next.reports.length, 1);
    assert.equal(next.mails.length, 1);
    const deliveries = (await call('GET', `/v1/deliveries?resource_id=${reports[0]}`)).body.data;
    assert.equal(deliveries.length, 1);
  });

  test('bad input: 422 at the field, nothing kept', async () => {
    const count = async () => (await call('GET', '/v1/report-schedules?count=true&limit=1')).body.page.total;
    const base = { name: 'S', type: 'invoice_aging', format: 'pdf', cadence: 'monthly', day_of_month: 1 };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, recipients: [] }, 'recipients'],
      [{ ...base, recipients: ['not an address'] }, 'recipients.0'],
      [{ ...base, day_of_month: 31, recipients: ['a@example.test'] }, 'day_of_month'],
      [{ ...base, day_of_month: undefined, recipients: ['a@example.test'] }, 'day_of_month'],
      [{ ...base, cadence: 'weekly', recipients: ['a@example.test'] }, 'weekday'],
      [
        { ...base, type: 'jobs_completed', params: { from: '2026-01-01' }, recipients: ['a@example.test'] },
        'params.from',
      ],
      [{ ...base, params: { currency: 'dollars' }, recipients: ['a@example.test'] }, 'params.currency'],
      [{ ...base, type: 'nope', recipients: ['a@example.test'] }, 'type'],
    ];
    for (const [body, path] of cases) {
      const before = await count();
      const response = await call('POST', '/v1/report-schedules', body);
      assert.equal(response.status, 422, `${JSON.stringify(body)}: ${response.text}`);
      assert.ok(
        response.body.errors.some((error: { path: string }) => error.path === path),
        `${path}: ${response.text}`,
      );
      assert.equal(await count(), before);
    }
  });
});
