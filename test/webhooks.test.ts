// Outbound webhooks end to end: a receiver on 127.0.0.1 that verifies every delivery with
// both the standardwebhooks and svix packages, answers as told, and counts what arrived.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS } from '../src/webhooks/retry-schedule.ts';
import { API_VERSION } from '../src/platform/openapi/build-openapi.ts';
import { nextPeriodStart, periodOf } from '../src/limits/monthly-quota.ts';
import { PLANS } from '../src/limits/plans.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';
import { deliveryQuota } from '../src/limits/limits-services.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  event: any;
}
type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A local receiver: `answers` decides each response in turn (then 200); every request is kept. */
async function startReceiver() {
  const received: Received[] = [];
  const answers: Answer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ headers: req.headers, body, event: JSON.parse(body) });
      const answer = answers.shift() ?? { status: 200, body: 'ok' };
      if (answer === 'hang') return; // never answers: the sender's timeout must fire
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// The dispatcher's clock (schedules, leases, secret expiry): real time plus what tests skip, or
// stopped at one instant.
// Signatures always carry the real time.
let skipped = 0;
let stoppedAt: number | undefined;
const clock = () => stoppedAt ?? Date.now() + skipped;
let ctx: TestContext;
let account: TestAccount;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

before(async () => {
  // 2 s: the receiver runs in this process, so a busy event loop delays its answer; at 500 ms a
  // send could time out after the receiver had the request, which it then recorded late.
  ctx = await createTestContext({ webhooks: { allowPrivate: true, now: clock, timeoutMs: 2_000 } });
  receiver = await startReceiver();
});
// Every test has an account of its own, so its endpoints see only its own events.
beforeEach(async () => {
  account = await ctx.newAccount('Webhooks Co');
  skipped = 0;
  stoppedAt = undefined;
  receiver.received.length = 0;
  receiver.answers.length = 0;
});
after(async () => {
  await receiver.close();
  await ctx.close();
});

const { call } = accountClient(
  () => ctx,
  () => account,
);
const drain = () => ctx.runtime.use(webhookDelivery).drain({ accountIds: [account.id] });

async function newEndpoint(body: Record<string, unknown> = {}) {
  const created = await call('POST', '/v1/webhook-endpoints', {
    url: receiver.url,
    enabled_events: ['customer.created'],
    ...body,
  });
  assert.equal(created.status, 201, created.text);
  return created.body.data as { id: string; secret: string; [k: string]: unknown };
}

function verifyBoth(delivery: Received, secret: string) {
  const headers = {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  };
  // Both libraries check the timestamp against the real clock.
  assert.deepEqual(new StandardWebhook(secret).verify(delivery.body, headers), delivery.event);
  assert.deepEqual(new SvixWebhook(secret).verify(delivery.body, headers), delivery.event);
}

describe('webhook endpoints', () => {
  test('the secret is shown once, at creation: never in reads, lists or events', async () => {
    const endpoint = await newEndpoint({ description: 'CRM sync' });
    assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const read = await call('GET', `/v1/webhook-endpoints/${endpoint.id}`);
    assert.equal(read.status, 200);
    assert.ok(!('secret' in read.body.data));
    assert.ok(!read.text.includes(endpoint.secret));
    const events = await call('GET', '/v1/events?type=webhook_endpoint.created&limit=100');
    assert.ok(events.body.data.some((e: any) => e.data.object.id === endpoint.id));
    assert.ok(!events.text.includes(endpoint.secret));
    const [stored] = await systemQuery(ctx.db, {
      sql: 'SELECT secret_sealed FROM webhook_endpoint_secrets WHERE endpoint_id = $1',
      parameters: [endpoint.id],
    });
    assert.ok(!String(stored.secret_sealed).includes(endpoint.secret.slice(6)), 'stored encrypted');
  });

  test('an idempotent create replays the secret, yet the stored response never holds it readable', async () => {
    const body = { url: receiver.url, enabled_events: ['customer.created'] };
    const headers = { 'idempotency-key': 'create-endpoint-1' };
    const first = await ctx.call('POST', '/v1/webhook-endpoints', { key: account.key, body, headers });
    const replay = await ctx.call('POST', '/v1/webhook-endpoints', { key: account.key, body, headers });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.text, first.text);
    const [stored] = await systemQuery(ctx.db, {
      sql: 'SELECT response_body FROM idempotency_keys WHERE account_id = $1',
      parameters: [account.id],
    });
    assert.ok(!String(stored.response_body).includes(first.body.data.secret.slice(6)));
  });

  test('unknown event types and non-URLs are refused with every reason, and nothing is created', async () => {
    const before = await call('GET', '/v1/webhook-endpoints?count=true&limit=1');
    const refused = await call('POST', '/v1/webhook-endpoints', {
      url: 'not a url',
      enabled_events: ['job.completed', 'job.exploded'],
    });
    assert.equal(refused.status, 422, refused.text);
    assert.deepEqual(refused.body.errors.map((e: any) => e.path).sort(), ['url']);
    const unknownType = await call('POST', '/v1/webhook-endpoints', {
      url: receiver.url,
      enabled_events: ['job.completed', 'job.exploded'],
    });
    assert.equal(unknownType.status, 422);
    assert.deepEqual(unknownType.body.errors, [
      { path: 'enabled_events.1', message: "'job.exploded' is not an event type" },
    ]);
    const after = await call('GET', '/v1/webhook-endpoints?count=true&limit=1');
    assert.equal(after.body.total_count, before.body.total_count);
  });
});

describe('delivery', () => {
  test(
    'each change reaches the subscribed endpoints, ' + 'signed so that standardwebhooks and svix both verify it',
    async () => {
      const all = await newEndpoint({ enabled_events: ['*'] });
      const jobsOnly = await newEndpoint({ enabled_events: ['customer.updated'] });
      assert.equal(await drain(), 2, "'*' receives its own creation and the second endpoint's");
      receiver.received.length = 0;
      const customer = await call('POST', '/v1/customers', { name: 'Ada' });
      assert.equal(await drain(), 1); // customer.created: only the '*' endpoint
      const [delivery] = receiver.received;
      assert.equal(delivery.event.type, 'customer.created');
      assert.equal(delivery.event.data.object.id, customer.body.data.id);
      assert.equal(delivery.event.api_version, API_VERSION, 'payloads name the version they are rendered in');
      assert.equal(delivery.headers['webhook-id'], delivery.event.id);
      verifyBoth(delivery, all.secret);
      assert.throws(() =>
        new StandardWebhook(jobsOnly.secret).verify(delivery.body, delivery.headers as Record<string, string>),
      );

      const log = await call('GET', `/v1/webhook-endpoints/${all.id}/deliveries`);
      assert.equal(log.status, 200);
      assert.equal(log.body.data[0].status, 'succeeded');
      assert.equal(log.body.data[0].http_status, 200);
      assert.equal(log.body.data[0].event, delivery.event.id);
      assert.equal(log.body.data[0].response_body, 'ok');
      const byEvent = await call('GET', `/v1/events/${delivery.event.id}/deliveries`);
      assert.deepEqual(
        byEvent.body.data.map((d: any) => d.id),
        [log.body.data[0].id],
      );
      for (const endpoint of [all, jobsOnly]) await call('POST', `/v1/webhook-endpoints/${endpoint.id}/disable`);
    },
  );

  test('a rolled-back change queues nothing: a refused write sends no event', async () => {
    const endpoint = await newEndpoint();
    receiver.received.length = 0;
    const refused = await call('POST', '/v1/customers', { name: '' });
    assert.equal(refused.status, 422);
    assert.equal(await drain(), 0);
    assert.equal(receiver.received.length, 0);
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/disable`);
  });

  test('a queued delivery is due from its millisecond: a claim at that JavaScript time takes it', async () => {
    await newEndpoint();
    await call('POST', '/v1/customers', { name: 'Same Millisecond Ltd' });
    const [queued] = await systemQuery(ctx.db, {
      sql: `SELECT floor(extract(epoch FROM next_attempt_at) * 1000)::float8 AS due_ms
              FROM webhook_queue WHERE account_id = $1`,
      parameters: [account.id],
    });
    // The dispatcher's clock stopped at the millisecond the row was queued in (Date.now() has no finer time).
    stoppedAt = Number(queued.due_ms);
    assert.equal(await drain(), 1);
    assert.equal(receiver.received.length, 1);
  });

  test('failures are retried on the schedule, honouring Retry-After, until one succeeds', async () => {
    const endpoint = await newEndpoint();
    receiver.received.length = 0;
    receiver.answers.push({ status: 500, body: 'boom' }, { status: 429, headers: { 'retry-after': '600' } }, 'hang');
    await call('POST', '/v1/customers', { name: 'Retry Ltd' });
    // Bracket the attempt with the clock so that a slow machine cannot shift the window.
    const attemptedFrom = clock();
    assert.equal(await drain(), 1);
    const attemptedBy = clock();
    const [first] = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`)).body.data;
    assert.equal(first.status, 'failed');
    assert.equal(first.http_status, 500);
    assert.equal(first.response_body, 'boom');
    const due = Date.parse(first.next_attempt_at);
    assert.ok(
      due >= attemptedFrom + RETRY_DELAYS_SECONDS[0] * 900 && due <= attemptedBy + RETRY_DELAYS_SECONDS[0] * 1100,
      `first retry ~5 s after the attempt, got ${due - attemptedFrom}–${due - attemptedBy} ms`,
    );
    assert.equal(await drain(), 0, 'nothing is due before the wait');

    skipped += 6_000;
    assert.equal(await drain(), 1);
    const [second] = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`)).body.data;
    assert.equal(second.http_status, 429);
    assert.ok(Date.parse(second.next_attempt_at) - clock() >= 590_000, 'Retry-After: 600 beats the 5-minute step');

    skipped += 601_000;
    assert.equal(await drain(), 1); // the receiver hangs: a timeout
    const [third] = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`)).body.data;
    assert.equal(third.http_status, null);
    assert.match(third.error, /no answer within/);

    skipped += 36_000_000;
    assert.equal(await drain(), 1);
    const attempts = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`)).body.data;
    assert.deepEqual(
      attempts.map((a: any) => [a.attempt, a.status]),
      [
        [4, 'succeeded'],
        [3, 'failed'],
        [2, 'failed'],
        [1, 'failed'],
      ],
    );
    assert.equal(
      new Set(receiver.received.map((r) => r.headers['webhook-id'])).size,
      1,
      'every retry carries the same webhook-id',
    );
    const read = await call('GET', `/v1/webhook-endpoints/${endpoint.id}`);
    assert.equal(read.body.data.failing_since, null, 'a success ends the failure streak');
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/disable`);
  });

  test('an answer with a NUL byte is still logged (PostgreSQL text cannot hold NUL)', async () => {
    const endpoint = await newEndpoint();
    receiver.answers.push({ status: 200, body: 'ok\u0000' });
    await call('POST', '/v1/customers', { name: 'Nul Corp' });
    assert.equal(await drain(), 1);
    const [attempt] = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`)).body.data;
    assert.equal(attempt.status, 'succeeded');
    assert.equal(attempt.response_body, 'ok\uFFFD');
  });

  test('deleting an endpoint fails what it still had pending; nothing more is sent', async () => {
    const endpoint = await newEndpoint();
    receiver.answers.push({ status: 500 });
    await call('POST', '/v1/customers', { name: 'Soon Gone' });
    assert.equal(await drain(), 1);
    assert.equal((await call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`)).status, 200);
    const rows = await systemQuery(ctx.db, {
      sql: 'SELECT status, last_error FROM webhook_queue WHERE endpoint_id = $1',
      parameters: [endpoint.id],
    });
    assert.deepEqual(rows, [{ status: 'failed', last_error: 'endpoint deleted' }]);
    skipped += 86_400_000;
    assert.equal(await drain(), 0);
  });

  test(
    '410 Gone disables the endpoint at once; that is an event, ' +
      "and the account's notification addresses are mailed",
    async () => {
      const patched = await call('PATCH', '/v1/account', { notification_emails: ['Ops@Example.com'] });
      assert.deepEqual(patched.body.data.notification_emails, ['ops@example.com']);
      const endpoint = await newEndpoint();
      receiver.answers.push({ status: 410 });
      await call('POST', '/v1/customers', { name: 'Gone Inc' });
      await drain();
      const read = await call('GET', `/v1/webhook-endpoints/${endpoint.id}`);
      assert.equal(read.body.data.status, 'disabled');
      assert.match(read.body.data.disabled_reason, /410/);
      const events = await call('GET', '/v1/events?type=webhook_endpoint.disabled&limit=100');
      assert.ok(
        events.body.data.some((e: any) => e.data.object.id === endpoint.id && e.data.object.status === 'disabled'),
      );
      const mails = await systemQuery(ctx.db, {
        sql: 'SELECT to_addresses, subject, text_body FROM mail_outbox WHERE account_id = $1',
        parameters: [account.id],
      });
      assert.equal(mails.length, 1);
      assert.deepEqual(mails[0].to_addresses, ['ops@example.com']);
      assert.match(mails[0].subject, /disabled/);
      assert.match(mails[0].text_body, new RegExp(`${endpoint.id}/enable`));
    },
  );

  test('when every retry fails the delivery is failed, and recover sends it again', async () => {
    const endpoint = await newEndpoint();
    const since = new Date(clock() - 1000).toISOString();
    receiver.answers.push(...Array.from({ length: MAX_ATTEMPTS }, () => ({ status: 503 })));
    await call('POST', '/v1/customers', { name: 'Doomed' });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      assert.equal(await drain(), 1, `attempt ${attempt}`);
      const [last] = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=1`)).body.data;
      if (last.next_attempt_at) skipped += Date.parse(last.next_attempt_at) - clock() + 1;
    }
    assert.equal(await drain(), 0, 'no attempt after the last');
    const failed = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=1`)).body.data[0];
    assert.equal(failed.attempt, MAX_ATTEMPTS);
    assert.equal(failed.next_attempt_at, null);
    const state = (await call('GET', `/v1/webhook-endpoints/${endpoint.id}`)).body.data;
    assert.equal(state.status, 'disabled', 'it never recovered during the whole schedule');
    assert.equal((await call('POST', `/v1/webhook-endpoints/${endpoint.id}/enable`)).status, 200);
    const recovered = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/recover`, { since });
    assert.equal(recovered.status, 202, recovered.text);
    assert.equal(recovered.body.data.requeued, 1);
    receiver.received.length = 0;
    assert.equal(await drain(), 1);
    assert.equal(receiver.received[0].event.type, 'customer.created');
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/disable`);
  });

  test('redeliver sends an event again to one endpoint or to all that want it', async () => {
    const endpoint = await newEndpoint();
    await call('POST', '/v1/customers', { name: 'Again' });
    await drain();
    const eventId = receiver.received.at(-1)!.event.id;
    receiver.received.length = 0;
    const again = await call('POST', `/v1/events/${eventId}/redeliver`, { endpoint: endpoint.id });
    assert.equal(again.status, 202, again.text);
    assert.deepEqual(again.body.data.endpoints, [endpoint.id]);
    assert.equal(await drain(), 1);
    assert.equal(receiver.received[0].event.id, eventId);
    const unknown = await call('POST', `/v1/events/${eventId}/redeliver`, {
      endpoint: 'we_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB',
    });
    assert.equal(unknown.status, 404);
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/disable`);
  });
});

describe('monthly delivery quota', () => {
  test(
    'first attempts count against the plan; ' + 'past the quota deliveries wait queued for next month, then go',
    async () => {
      const limit = PLANS.free.monthlyWebhookDeliveries;
      await systemQuery(ctx.db, { sql: "UPDATE accounts SET plan = 'free' WHERE id = $1", parameters: [account.id] });
      await systemQuery(ctx.db, {
        sql: 'INSERT INTO usage_counters (account_id, period, webhook_deliveries) VALUES ($1, $2, $3)',
        parameters: [account.id, periodOf(clock()), limit - 2],
      });
      await newEndpoint();
      const quota = ctx.runtime.use(deliveryQuota);
      await call('POST', '/v1/customers', { name: 'First' });
      assert.equal(await drain(), 1);
      await quota.flush(); // the node learns the account's total (limit - 1)
      await call('POST', '/v1/customers', { name: 'Second' });
      await call('POST', '/v1/customers', { name: 'Third' });
      assert.equal(await drain(), 1, 'one more is within the quota; the other waits');
      assert.equal(receiver.received.length, 2);
      assert.equal(receiver.received[0].event.data.object.name, 'First');
      const waiting = await systemQuery(ctx.db, {
        sql: `SELECT q.attempts, q.status, q.next_attempt_at, q.last_error FROM webhook_queue q
            WHERE q.account_id = $1 AND q.first_attempt_at IS NULL`,
        parameters: [account.id],
      });
      assert.equal(waiting.length, 1);
      assert.equal(waiting[0].status, 'pending');
      assert.equal(waiting[0].attempts, 0, 'a delivery that was not sent is not an attempt');
      assert.equal(new Date(waiting[0].next_attempt_at).getTime(), nextPeriodStart(clock()));
      assert.match(waiting[0].last_error, /quota/);
      const attempts = await call('GET', '/v1/webhook-deliveries');
      assert.equal(attempts.body.data.length, 2, 'the delivery log holds only what was sent');

      await quota.flush();
      const status = await call('GET', '/v1/rate-limit');
      assert.equal(status.body.data.quota.webhook_deliveries_limit, limit);
      assert.equal(status.body.data.quota.webhook_deliveries_used, limit);
      const [warning] = await systemQuery(ctx.db, {
        sql: "SELECT data FROM events WHERE account_id = $1 AND type = 'account.quota_warning'",
        parameters: [account.id],
      });
      assert.equal(warning.data.object.metric, 'webhook_deliveries');

      skipped = nextPeriodStart(clock()) - Date.now() + 1_000; // into next month: a fresh quota
      assert.equal(await drain(), 1);
      assert.equal(receiver.received.length, 3, 'the waiting delivery went when the quota reset');
    },
  );
});

describe('test events and secret rotation', () => {
  test('test answers with the delivery result at once, and only that endpoint receives it', async () => {
    const endpoint = await newEndpoint();
    receiver.received.length = 0;
    receiver.answers.push({ status: 202, body: 'accepted' });
    const tested = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test`);
    assert.equal(tested.status, 200, tested.text);
    assert.equal(tested.body.data.object, 'webhook_delivery');
    assert.equal(tested.body.data.status, 'succeeded');
    assert.equal(tested.body.data.http_status, 202);
    assert.equal(tested.body.data.response_body, 'accepted');
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0].event.type, 'webhook.test');
    verifyBoth(receiver.received[0], endpoint.secret);
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/disable`);
  });

  test('after a rotation both secrets sign until the old one expires', async () => {
    const endpoint = await newEndpoint();
    const rotated = await call('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
      expire_previous_in_seconds: 3600,
    });
    assert.equal(rotated.status, 200, rotated.text);
    const fresh = rotated.body.data.secret;
    assert.notEqual(fresh, endpoint.secret);
    receiver.received.length = 0;
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test`);
    const during = receiver.received[0];
    assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
    verifyBoth(during, fresh);
    verifyBoth(during, endpoint.secret);

    skipped += 3_601_000;
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/test`);
    const afterwards = receiver.received[1];
    assert.equal(String(afterwards.headers['webhook-signature']).split(' ').length, 1);
    verifyBoth(afterwards, fresh);
    assert.throws(() =>
      new StandardWebhook(endpoint.secret).verify(afterwards.body, afterwards.headers as Record<string, string>),
    );
    await call('POST', `/v1/webhook-endpoints/${endpoint.id}/disable`);
  });
});
