// The business page in a real browser: a known data set made through the API (a job completed
// today, an invoice sent and part-paid in USD and overdue, a ticket, a converted lead), the tiles
// show what GET /v1/analytics/dashboard answers for the same range, the jobs chart re-renders
// with the interval, and a member without read:analytics neither sees the link nor the page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkipReason, signUpInPortal, startPortal, type PortalSession } from './support/browser.ts';
import { signUp } from './support/members.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const skip = browserSkipReason();
const DAY_MS = 86_400_000;

/** axe-core's WCAG 2.0 and 2.1 A and AA rules, run in the page (as test/portal-customer.test.ts does). */
async function wcagViolations(page: PortalSession['page']): Promise<string[]> {
  // Evaluated through the DevTools protocol: the portal's Content-Security-Policy refuses injected scripts.
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...args: unknown[]) => Promise<any> } }).axe;
    const { violations } = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return violations.map(
      (v: { id: string; nodes: { target: string[] }[] }) =>
        `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
}

/** Polls `read` until `done` holds (the page loads data asynchronously); returns the last value. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('developer portal: business dashboard', { skip }, () => {
  let portal: PortalSession;
  before(async () => {
    portal = await startPortal();
  });
  after(async () => {
    await portal?.close();
  });

  it('shows the figures the analytics API answers, redraws by interval, and is only for read:analytics', async () => {
    const { page, t } = portal;
    await signUpInPortal(portal, 'Bea Business', 'Bea Boilers');
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const keyAnswer = await t.call('POST', '/v1/api-keys', {
      headers: { cookie },
      body: { name: 'Business data', mode: 'live', scopes: ['read:*', 'write:*'] },
    });
    assert.equal(keyAnswer.status, 201, keyAnswer.text);
    const key: string = keyAnswer.body.data.secret;
    const post = async (path: string, body: unknown = {}) => {
      const response = await t.call('POST', path, { key, body });
      assert.ok(response.status < 300, `${path}: ${response.text}`);
      return response.body.data;
    };
    const get = async (path: string) => {
      const response = await t.call('GET', path, { key });
      assert.equal(response.status, 200, response.text);
      return response.body.data;
    };

    // The data set: one technician's job today, completed; an invoice in USD sent, part-paid and past due.
    const technician = await post('/v1/users', {
      name: 'Tess Tech',
      email: `tess.${Date.now()}@business.example`,
      role: 'technician',
    });
    const customer = await post('/v1/customers', { name: 'Ada Homes', email: 'ada@business.example' });
    const job = await post('/v1/jobs', { title: 'Boiler service', customer_id: customer.id });
    await post(`/v1/jobs/${job.id}/assign`, {
      technician_id: technician.id,
      // From now: an hour earlier would be yesterday between midnight and 01:00 UTC.
      scheduled_start: new Date().toISOString(),
      scheduled_end: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    });
    await post(`/v1/jobs/${job.id}/start`);
    await post(`/v1/jobs/${job.id}/complete`);
    const invoice = await post('/v1/invoices', {
      customer_id: customer.id,
      job_id: job.id,
      currency: 'USD',
      due_date: new Date(Date.now() - 10 * DAY_MS).toISOString().slice(0, 10),
      line_items: [{ description: 'Service', quantity: 1, unit_amount: 12_345 }],
    });
    await post(`/v1/invoices/${invoice.id}/send`);
    await post(`/v1/invoices/${invoice.id}/payments`, { amount: 5_000, currency: 'USD', method: 'card' });
    await post('/v1/tickets', { subject: 'Radiator still cold', priority: 'high' });
    const lead = await post('/v1/leads', { first_name: 'Lou' });
    await post(`/v1/leads/${lead.id}/convert`);
    await post('/v1/leads', { first_name: 'Liv' });

    // The page, for the API's default range (the last 30 days), against the API's answer for it.
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Business' }).click();
    await page.getByRole('heading', { level: 1, name: 'Business' }).waitFor();
    const dashboard = await get('/v1/analytics/dashboard');
    assert.equal(dashboard.today.jobs_by_status.completed, 1, 'the data set is in the answer');
    assert.equal(dashboard.revenue[0].currency, 'USD');
    const tile = (label: string) => page.getByRole('group', { name: label, exact: true }).locator('.value');
    await eventually(
      () => tile('Invoiced (USD)').count(),
      (n) => n === 1,
    );
    const money = (minor: number) =>
      page.evaluate(
        (amount) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(amount / 100),
        minor,
      );
    const number = (value: number) => page.evaluate((n) => n.toLocaleString(undefined), value);
    const percent = (ratio: number) =>
      page.evaluate((r) => `${(r * 100).toLocaleString(undefined, { maximumFractionDigits: 1 })} %`, ratio);
    const openTickets = Object.values(dashboard.open_tickets_by_priority as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    const expected: Record<string, string> = {
      'Jobs today': await number(dashboard.today.jobs),
      'Jobs in the period': await number(dashboard.jobs),
      'Technician utilisation': await percent(dashboard.technician_utilisation.utilisation),
      'Open tickets': await number(openTickets),
      'SLA breaches': await number(dashboard.open_tickets_past_due),
      'Leads created': await number(dashboard.leads.created),
      'Lead conversion rate': await percent(dashboard.leads.conversion_rate),
      'Invoiced (USD)': await money(dashboard.revenue[0].invoiced),
      'Collected (USD)': await money(dashboard.revenue[0].collected),
      'Overdue now (USD)': await money(dashboard.overdue[0].amount),
    };
    for (const [label, value] of Object.entries(expected)) {
      assert.equal(
        await eventually(
          () => tile(label).innerText(),
          (text) => text === value,
        ),
        value,
        label,
      );
    }
    assert.equal(dashboard.leads.conversion_rate, 0.5, 'one lead of two converted');
    assert.equal(dashboard.revenue[0].collected, 5_000);
    await portal.screenshot('business');

    // The interval redraws the jobs chart with the API's buckets (a row per point in its table).
    const jobsChart = (per: string) => page.getByRole('figure', { name: `Jobs per ${per}`, exact: true });
    const rows = (per: string) => jobsChart(per).locator('details tbody tr').count();
    const byDay = await get('/v1/analytics/jobs');
    assert.equal(
      await eventually(
        () => rows('day'),
        (n) => n === byDay.series.length,
      ),
      byDay.series.length,
    );
    await page.getByLabel('Interval', { exact: true }).selectOption('week');
    const range = {
      from: await page.getByLabel('From', { exact: true }).inputValue(),
      to: await page.getByLabel('To', { exact: true }).inputValue(),
    };
    assert.deepEqual(range, { from: dashboard.from, to: dashboard.to }, 'the dates shown are the period answered');
    const byWeek = await get(`/v1/analytics/jobs?from=${range.from}&to=${range.to}&interval=week`);
    assert.notEqual(byWeek.series.length, byDay.series.length);
    assert.equal(
      await eventually(
        () => rows('week'),
        (n) => n === byWeek.series.length,
      ),
      byWeek.series.length,
    );
    const summary = await jobsChart('week').getByRole('img').getAttribute('aria-label');
    assert.match(summary!, new RegExp(`, ${byWeek.series.length} points from `));
    assert.equal(new URL(page.url()).searchParams.get('interval'), 'week', 'the view lives in the URL');

    // A preset and the compare toggle: the previous period's figure beside a tile.
    await page.getByLabel('Range', { exact: true }).selectOption('7d');
    await page.getByLabel('Compare with the previous period').check();
    const week = await get(
      `/v1/analytics/dashboard?${new URL(page.url()).searchParams}`.replace('compare=1', 'compare=previous_period'),
    );
    assert.equal(week.to, dashboard.today.date);
    const previous = `Previous period: ${await number(week.previous_period.jobs)}`;
    const jobsTile = page.getByRole('group', { name: 'Jobs in the period', exact: true });
    assert.equal(
      await eventually(
        () => jobsTile.locator('.previous').innerText(),
        (text) => text === previous,
      ),
      previous,
    );
    assert.deepEqual(await wcagViolations(page), [], 'WCAG 2.1 A and AA, with data and the compare column');

    // Loaded afresh with this data, the page holds still as the answers arrive (as test/portal-shell measures).
    await page.addInitScript(() => {
      const scope = window as unknown as { shift: number };
      scope.shift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
          if (!entry.hadRecentInput) scope.shift += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(page.url(), { waitUntil: 'networkidle' });
    await tile('Invoiced (USD)').waitFor();
    const shift = await page.evaluate(() => (window as unknown as { shift: number }).shift);
    assert.ok(shift < 0.1, `cumulative layout shift ${shift}`);
    console.log(`business page with data: cumulative layout shift ${shift.toFixed(4)}`);
    assert.deepEqual(portal.pageErrors, []);

    // On a phone-width screen the page scrolls down only, never sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { level: 2, name: 'Owed now, by age' }).waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await portal.screenshot('business-phone');
    await page.setViewportSize({ width: 1280, height: 860 });

    // A technician (no read:analytics) has no link, and the page says why.
    const tech = await signUp(t, 'theo');
    const member = await post('/v1/users', { name: 'Theo', email: tech.email, role: 'technician' });
    await post(`/v1/users/${member.id}/invite`);
    const mail = await eventually(
      () =>
        systemQuery(t.db, {
          sql: 'SELECT text_body FROM mail_outbox WHERE $1 = ANY (to_addresses) AND subject LIKE $2',
          parameters: [tech.email, 'You are invited%'],
        }),
      (found) => found.length > 0,
    );
    const token = /(inv_\S+)/.exec(mail[0]?.text_body ?? '')?.[1];
    const accepted = await t.call('POST', '/v1/auth/accept-invitation', {
      headers: { cookie: tech.cookie },
      body: { token },
    });
    assert.equal(accepted.status, 200, accepted.text);
    const [name, value] = tech.cookie.split('=');
    const context = await portal.browser.newContext({ baseURL: portal.base });
    try {
      await context.addCookies([{ name, value, url: portal.base }]);
      const techPage = await context.newPage();
      await techPage.goto('/portal/');
      await techPage.getByRole('link', { name: 'Overview', exact: true }).waitFor();
      const nav = await techPage.getByRole('navigation', { name: 'Portal' }).getByRole('link').allTextContents();
      assert.ok(nav.length > 0 && !nav.includes('Business'), `no Business link: ${nav.join(', ')}`);
      await techPage.goto('/portal/business');
      await techPage.getByRole('heading', { name: 'Not for your role' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
