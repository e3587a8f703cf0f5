// Calendar feeds end to end: the served iCalendar document is parsed with node-ical (as a
// calendar app would read it) and checked for events, moves (SEQUENCE grows, times change),
// cancellations, busy blocks, the window, tenant isolation, rotation, revocation, 304s and roles.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import nodeIcal from 'node-ical';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { memberWithRole, signUp } from './support/members.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Calendar Co');
});

const { call, created } = accountClient(
  () => ctx,
  () => account,
);

const DAY = 86_400_000;
/** An hour `days` from now, on the hour (UTC), as the API writes timestamps. */
const inDays = (days: number, hour: number) => {
  const day = new Date(Date.now() + days * DAY);
  day.setUTCHours(hour, 0, 0, 0);
  return day.toISOString();
};

let people = 0;
const newTechnician = (name: string, key = account.key) =>
  created('users', { name, email: `tech${++people}@calendar.example`, role: 'technician' }, key);

async function bookedJob(technicianId: string | null, days: number, from: number, to: number, key = account.key) {
  const customer = await created(
    'customers',
    { name: 'Grace Hopper', phone: '+15550100', address: { line1: '1 Main St', city: 'Springfield', country: 'US' } },
    key,
  );
  const job = await created('jobs', { title: 'Replace water heater', customer_id: customer.id }, key);
  const window = { scheduled_start: inDays(days, from), scheduled_end: inDays(days, to) };
  const booked = technicianId
    ? await call('POST', `/v1/jobs/${job.id}/assign`, { technician_id: technicianId, ...window }, key)
    : await call('POST', `/v1/jobs/${job.id}/schedule`, window, key);
  assert.equal(booked.status, 200, booked.text);
  return booked.body.data as Record<string, any>;
}

/** The feed URL's path (the test server answers any host). */
const pathOf = (url: string) => new URL(url).pathname;

async function fetchFeed(url: string, headers: Record<string, string> = {}) {
  return ctx.call('GET', pathOf(url), { headers });
}

/** The VEVENTs of a served feed, by UID, and the calendar's own properties. */
function parseFeed(text: string) {
  const parsed = Object.values(nodeIcal.sync.parseICS(text)) as any[];
  const events = new Map<string, any>(parsed.filter((c) => c.type === 'VEVENT').map((e) => [e.uid, e]));
  return { events, calendar: parsed.find((c) => c.type === 'VCALENDAR') };
}

async function readFeed(url: string) {
  const res = await fetchFeed(url);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
  assert.match(res.text, /^BEGIN:VCALENDAR\r\n/);
  return { ...parseFeed(res.text), etag: res.headers.get('etag')! };
}

describe('a technician feed', () => {
  test('shows their booked jobs with place, customer and link, their blocks as busy, and nothing else', async () => {
    assert.equal((await call('PATCH', '/v1/account/branding', { time_zone: 'Europe/Paris' })).status, 200);
    const ada = await newTechnician('Ada');
    const bob = await newTechnician('Bob');
    const job = await bookedJob(ada.id, 3, 9, 11);
    const bobs = await bookedJob(bob.id, 3, 9, 11);
    const unscheduled = await created('jobs', { title: 'Someday', customer_id: job.customer_id });
    const tooFar = await bookedJob(ada.id, 200, 9, 10);
    const block = await created('schedule-blocks', {
      technician_id: ada.id,
      kind: 'time_off',
      starts_at: inDays(4, 8),
      ends_at: inDays(4, 17),
      note: 'dentist',
    });

    const feed = await call('POST', '/v1/calendar-feeds', { name: "Ada's jobs", technician_id: ada.id });
    assert.equal(feed.status, 201, feed.text);
    const { token, url, webcal_url, token_prefix } = feed.body.data;
    assert.match(token, /^flcal_[0-9A-Za-z]{44}$/);
    assert.equal(url, `http://localhost:3000/v1/calendar/${token}.ics`);
    assert.equal(webcal_url, `webcal://localhost:3000/v1/calendar/${token}.ics`);
    assert.equal(token_prefix, token.slice(0, 18));
    // The token is shown once: reads of the feed never carry it.
    const read = await call('GET', `/v1/calendar-feeds/${feed.body.data.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.data.token_prefix, token_prefix);
    assert.ok(!JSON.stringify(read.body).includes(token), 'the token is not readable');
    assert.ok(!('url' in read.body.data));

    const { events, calendar } = await readFeed(url);
    assert.equal(calendar['WR-TIMEZONE'], 'Europe/Paris');
    assert.equal(calendar['WR-CALNAME'], "Ada's jobs");
    assert.deepEqual([...events.keys()].sort(), [block.id, job.id].sort());
    assert.ok(![bobs.id, unscheduled.id, tooFar.id].some((id) => events.has(id)));
    const event = events.get(job.id);
    assert.equal(event.start.toISOString(), job.scheduled_start);
    assert.equal(event.end.toISOString(), job.scheduled_end);
    assert.equal(event.summary, 'Replace water heater (Grace Hopper)');
    assert.equal(event.location, '1 Main St, Springfield, US');
    assert.match(event.description, /Customer: Grace Hopper, \+15550100/);
    assert.match(event.description, /Technician: Ada/);
    assert.ok(event.description.includes(`http://localhost:3000/v1/jobs/${job.id}`));
    assert.equal(event.status, 'CONFIRMED');
    assert.equal(event.transparency, 'OPAQUE');
    // iCalendar times have whole seconds.
    assert.equal(event.lastmodified.toISOString(), job.updated_at.replace(/\.\d+Z$/, '.000Z'));
    const busy = events.get(block.id);
    assert.equal(busy.summary, 'Busy: Time off');
    assert.equal(busy.transparency, 'OPAQUE');
    assert.equal(busy.start.toISOString(), block.starts_at);
    assert.ok(!JSON.stringify(busy).includes('dentist'), "a block's note stays in the office");
  });

  test('a moved job keeps its UID with new times and a higher SEQUENCE; a cancelled one says CANCELLED', async () => {
    const ada = await newTechnician('Ada');
    const job = await bookedJob(ada.id, 2, 9, 10);
    const feed = await created('calendar-feeds', { technician_id: ada.id });
    const before = (await readFeed(feed.url)).events.get(job.id);

    const moved = await call('POST', `/v1/jobs/${job.id}/schedule`, {
      scheduled_start: inDays(5, 13),
      scheduled_end: inDays(5, 15),
    });
    assert.equal(moved.status, 200, moved.text);
    const after = (await readFeed(feed.url)).events.get(job.id);
    assert.ok(after.sequence > before.sequence, `SEQUENCE ${before.sequence} -> ${after.sequence}`);
    assert.equal(after.start.toISOString(), inDays(5, 13));
    assert.equal(after.end.toISOString(), inDays(5, 15));
    assert.ok(after.lastmodified >= before.lastmodified);

    const renamed = await call('PATCH', `/v1/jobs/${job.id}`, { title: 'Replace boiler' });
    assert.equal(renamed.status, 200, renamed.text);
    const retitled = (await readFeed(feed.url)).events.get(job.id);
    assert.ok(retitled.sequence > after.sequence);
    assert.match(retitled.summary, /^Replace boiler/);

    assert.equal((await call('POST', `/v1/jobs/${job.id}/cancel`, { reason: 'customer away' })).status, 200);
    const cancelled = (await readFeed(feed.url)).events.get(job.id);
    assert.equal(cancelled.status, 'CANCELLED');
    assert.ok(cancelled.sequence > retitled.sequence);
    assert.match(cancelled.description, /Cancelled: customer away/);
  });

  test('an unchanged feed answers 304 to its ETag; a change gives a new ETag', async () => {
    const ada = await newTechnician('Ada');
    const job = await bookedJob(ada.id, 1, 9, 10);
    const feed = await created('calendar-feeds', { technician_id: ada.id });
    const first = await fetchFeed(feed.url);
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"[A-Za-z0-9_-]{32}"$/);
    assert.equal(first.headers.get('cache-control'), 'private, no-cache');

    const again = await fetchFeed(feed.url, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
    assert.equal(again.headers.get('etag'), etag);
    assert.equal((await fetchFeed(feed.url, { 'if-none-match': `"other", W/${etag}` })).status, 304);
    assert.equal((await fetchFeed(feed.url, { 'if-none-match': '"other"' })).status, 200);

    await call('POST', `/v1/jobs/${job.id}/schedule`, { scheduled_start: inDays(1, 11), scheduled_end: inDays(1, 12) });
    const changed = await fetchFeed(feed.url, { 'if-none-match': etag });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });
});

describe('an account feed', () => {
  test("shows every technician's jobs and unassigned booked ones; never another account's", async () => {
    const ada = await newTechnician('Ada');
    const bob = await newTechnician('Bob');
    const adas = await bookedJob(ada.id, 1, 9, 10);
    const bobs = await bookedJob(bob.id, 1, 9, 10);
    const nobodys = await bookedJob(null, 2, 9, 10);
    await created('schedule-blocks', { technician_id: ada.id, starts_at: inDays(3, 8), ends_at: inDays(3, 9) });

    const other = await ctx.newAccount('Other Co');
    const otherTech = await newTechnician('Eve', other.key);
    const othersJob = await bookedJob(otherTech.id, 1, 9, 10, other.key);
    const othersFeed = await created('calendar-feeds', {}, other.key);

    const feed = await created('calendar-feeds', { name: 'Everyone' });
    assert.equal(feed.technician_id, null);
    const { events } = await readFeed(feed.url);
    assert.deepEqual([...events.keys()].sort(), [adas.id, bobs.id, nobodys.id].sort());
    assert.match(events.get(nobodys.id).description, /Technician: not assigned/);

    const theirs = await readFeed(othersFeed.url);
    assert.deepEqual([...theirs.events.keys()], [othersJob.id]);

    // Another account's feed is not found by id, for reading, rotating or revoking.
    for (const [method, path] of [
      ['GET', `/v1/calendar-feeds/${othersFeed.id}`],
      ['POST', `/v1/calendar-feeds/${othersFeed.id}/rotate`],
      ['POST', `/v1/calendar-feeds/${othersFeed.id}/revoke`],
      ['DELETE', `/v1/calendar-feeds/${othersFeed.id}`],
    ])
      assertProblem(await call(method, path), 404, 'not_found');
    // ... and may not be the technician of a feed here.
    assertProblem(await call('POST', '/v1/calendar-feeds', { technician_id: otherTech.id }), 422, 'validation_failed');
    assert.equal((await fetchFeed(othersFeed.url)).status, 200, 'their feed still works');
  });
});

describe('the secret URL', () => {
  test('rotate: a new URL, the old one a 404; revoke and delete end it; unknown tokens look alike', async () => {
    const feed = await created('calendar-feeds', {});
    assert.equal((await fetchFeed(feed.url)).status, 200);

    const rotated = await call('POST', `/v1/calendar-feeds/${feed.id}/rotate`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.notEqual(rotated.body.data.token, feed.token);
    assert.equal(rotated.body.data.token_prefix, rotated.body.data.token.slice(0, 18));
    const gone = assertProblem(await fetchFeed(feed.url), 404, 'not_found');
    assert.equal((await fetchFeed(rotated.body.data.url)).status, 200);

    const unknown = assertProblem(
      await fetchFeed(`http://x/v1/calendar/flcal_${'A'.repeat(44)}.ics`),
      404,
      'not_found',
    );
    const malformed = assertProblem(await fetchFeed('http://x/v1/calendar/nothing.ics'), 404, 'not_found');
    assert.equal(unknown.detail, gone.detail);
    assert.equal(malformed.detail, gone.detail);

    const revoked = await call('POST', `/v1/calendar-feeds/${feed.id}/revoke`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body.data.status, 'revoked');
    const afterRevoke = assertProblem(await fetchFeed(rotated.body.data.url), 404, 'not_found');
    assert.equal(afterRevoke.detail, gone.detail);
    assertProblem(await call('POST', `/v1/calendar-feeds/${feed.id}/rotate`), 409, 'invalid_state_transition');

    const deleted = await created('calendar-feeds', {});
    assert.equal((await call('DELETE', `/v1/calendar-feeds/${deleted.id}`)).status, 200);
    assertProblem(await fetchFeed(deleted.url), 404, 'not_found');
  });

  test("a member's feed stops when they are made inactive or removed, and opens again when active", async () => {
    const ada = await newTechnician('Ada');
    const feed = await created('calendar-feeds', { technician_id: ada.id });
    assert.equal((await fetchFeed(feed.url)).status, 200);
    assert.equal((await call('PATCH', `/v1/users/${ada.id}`, { status: 'inactive' })).status, 200);
    assertProblem(await fetchFeed(feed.url), 404, 'not_found');
    assert.equal((await call('PATCH', `/v1/users/${ada.id}`, { status: 'active' })).status, 200);
    assert.equal((await fetchFeed(feed.url)).status, 200);
    assert.equal((await call('DELETE', `/v1/users/${ada.id}`)).status, 200);
    assertProblem(await fetchFeed(feed.url), 404, 'not_found');
  });

  test('the feed URL needs no credential, and an API key without write:calendar-feeds cannot make one', async () => {
    const feed = await created('calendar-feeds', {});
    const res = await ctx.call('GET', pathOf(feed.url)); // no Authorization header
    assert.equal(res.status, 200);
    const reader = await ctx.newKey(account.id, ['read:calendar-feeds']);
    assertProblem(await call('POST', '/v1/calendar-feeds', {}, reader), 403, 'insufficient_scope');
    const list = await call('GET', '/v1/calendar-feeds', undefined, reader);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.data.map((f: any) => f.id),
      [feed.id],
    );
  });
});

describe('guessing from one address', () => {
  let proxied: TestContext;
  before(async () => {
    proxied = await createTestContext({ trustProxy: true });
  });
  after(async () => {
    await proxied.close();
  });

  test('30 unknown tokens a minute, then 429s; valid feeds polled from one address are not limited', async () => {
    const owner = await proxied.newAccount('Guessed Co');
    const feed = await proxied.call('POST', '/v1/calendar-feeds', { key: owner.key, body: {} });
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const guess = `/v1/calendar/flcal_${String(i).padStart(44, 'A')}.ics`;
      statuses.push((await proxied.call('GET', guess, { headers: { 'x-forwarded-for': '203.0.113.10' } })).status);
    }
    assert.deepEqual(statuses, [...Array(30).fill(404), ...Array(5).fill(429)]);

    // A calendar service fetches many feeds from one address: more than the 60 a minute open routes get.
    const path = pathOf(feed.body.data.url);
    const first = await proxied.call('GET', path, { headers: { 'x-forwarded-for': '198.51.100.20' } });
    const headers = { 'x-forwarded-for': '198.51.100.20', 'if-none-match': first.headers.get('etag')! };
    const polls: number[] = [];
    for (let i = 0; i < 65; i++) polls.push((await proxied.call('GET', path, { headers })).status);
    assert.deepEqual(polls, Array(65).fill(304));
  });
});

describe('roles', () => {
  test('a technician makes a feed of their own jobs only, and sees only their own feeds', async () => {
    const owner = await signUp(ctx, 'olive');
    const tech = await memberWithRole(ctx, owner.cookie, 'technician', 'tess');
    const asOwner = { headers: { cookie: owner.cookie } };
    const asTech = { headers: { cookie: tech.cookie } };
    const colleague = await ctx.call('POST', '/v1/users', {
      ...asOwner,
      body: { name: 'Carl', email: `carl${++people}@calendar.example`, role: 'technician' },
    });
    assert.equal(colleague.status, 201, colleague.text);

    const own = await ctx.call('POST', '/v1/calendar-feeds', { ...asTech, body: { technician_id: tech.userId } });
    assert.equal(own.status, 201, own.text);
    assertProblem(
      await ctx.call('POST', '/v1/calendar-feeds', { ...asTech, body: { technician_id: colleague.body.data.id } }),
      403,
      'forbidden',
    );
    assertProblem(await ctx.call('POST', '/v1/calendar-feeds', { ...asTech, body: {} }), 403, 'forbidden');

    const colleagues = await ctx.call('POST', '/v1/calendar-feeds', {
      ...asOwner,
      body: { technician_id: colleague.body.data.id },
    });
    assert.equal(colleagues.status, 201, colleagues.text);
    const seen = await ctx.call('GET', '/v1/calendar-feeds', asTech);
    assert.deepEqual(
      seen.body.data.map((f: any) => f.id),
      [own.body.data.id],
    );
    assertProblem(
      await ctx.call('POST', `/v1/calendar-feeds/${colleagues.body.data.id}/rotate`, asTech),
      403,
      'forbidden',
    );
    const rotated = await ctx.call('POST', `/v1/calendar-feeds/${own.body.data.id}/rotate`, asTech);
    assert.equal(rotated.status, 200, rotated.text);
  });
});
