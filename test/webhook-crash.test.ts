// A worker killed at any point of a delivery loses nothing: its lease runs out and another
// worker sends the event again (at least once). There is no relay step to crash in: the
// trigger queues deliveries in the transaction that writes the event. Needs PostgreSQL (the
// worker is another process); on PGlite the database lives inside the test process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';

const databaseUrl = process.env.DATABASE_URL;
const LEASE_MS = 60_000;
const key = randomBytes(32);
let skipped = 0;
let ctx: TestContext;

before(async () => {
  if (!databaseUrl) return;
  ctx = await createTestContext({ secretKey: key, webhooks: { allowPrivate: true, now: () => Date.now() + skipped } });
});
after(async () => {
  await ctx?.close();
});

async function startWorker(accountId: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/webhook-worker.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      FIELDLINE_SECRET_KEY: key.toString('hex'),
      LEASE_MS: String(LEASE_MS),
      ACCOUNT_ID: accountId,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = await once(child.stdout!, 'data');
  assert.equal(String(chunk).trim(), 'ready');
  return child;
}

/** A receiver whose first request is held in whatever state `holdFirst` leaves it. */
async function startReceiver(holdFirst: (res: ServerResponse) => void) {
  const ids: string[] = [];
  let firstArrived!: () => void;
  const first = new Promise<void>((resolve) => {
    firstArrived = resolve;
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      ids.push(JSON.parse(Buffer.concat(chunks).toString()).id);
      if (ids.length === 1) {
        holdFirst(res);
        firstArrived();
      } else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    ids,
    first,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function crashMidDelivery(holdFirst: (res: ServerResponse) => void) {
  const account: TestAccount = await ctx.newAccount('Crash Co');
  const receiver = await startReceiver(holdFirst);
  try {
    const endpoint = await ctx.call('POST', '/v1/webhook-endpoints', {
      key: account.key,
      body: { url: receiver.url, enabled_events: ['customer.created'] },
    });
    assert.equal(endpoint.status, 201, endpoint.text);
    const worker = await startWorker(account.id);
    const customer = await ctx.call('POST', '/v1/customers', { key: account.key, body: { name: 'Survivor' } });
    await receiver.first; // the worker has claimed and sent it...
    worker.kill('SIGKILL'); // ...and dies before recording anything
    await once(worker, 'exit');

    const log = await ctx.call('GET', `/v1/webhook-endpoints/${endpoint.body.data.id}/deliveries`, {
      key: account.key,
    });
    assert.deepEqual(log.body.data, [], 'the dead worker logged nothing');
    assert.equal(
      await ctx.runtime.use(webhookDelivery).drain({ accountIds: [account.id] }),
      0,
      'its lease still holds',
    );
    skipped = LEASE_MS + 1_000;
    assert.equal(
      await ctx.runtime.use(webhookDelivery).drain({ accountIds: [account.id] }),
      1,
      'after the lease, another worker takes it',
    );
    skipped = 0;

    const eventId = receiver.ids[0];
    assert.deepEqual(receiver.ids, [eventId, eventId], 'delivered again: at least once, same webhook-id');
    const [delivery] = (await ctx.call('GET', `/v1/events/${eventId}/deliveries`, { key: account.key })).body.data;
    assert.equal(delivery.status, 'succeeded');
    assert.equal(delivery.attempt, 2);
    const events = await ctx.call('GET', `/v1/events?type=customer.created&limit=1`, { key: account.key });
    assert.equal(events.body.data[0].data.object.id, customer.body.data.id);
  } finally {
    receiver.close();
  }
}

test(
  'a worker killed while the receiver is still working: the event is delivered again',
  { skip: !databaseUrl && 'needs PostgreSQL' },
  async () => {
    await crashMidDelivery(() => {
      /* never answers */
    });
  },
);

test(
  'a worker killed after the receiver answered 200 but before it logged the answer: delivered again',
  { skip: !databaseUrl && 'needs PostgreSQL' },
  async () => {
    // The status line and headers are out; the body never ends, so the worker is between the
    // receiver's answer and its own bookkeeping when it dies.
    await crashMidDelivery((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('accepted');
    });
  },
);
