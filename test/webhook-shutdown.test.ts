// A webhook worker told to stop (SIGTERM: src/server.ts stops the workers after the HTTP drain)
// finishes the delivery it is sending and records it, and claims nothing more: what is still
// queued stays unclaimed, for another node (or this one's next start) to send once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { pino } from 'pino';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';
import { systemQuery } from '../src/db/system-query.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx?.close());

test('stopping mid-delivery: the delivery in flight is sent and recorded once, the queued one is left', async () => {
  const account = await ctx.newAccount('Shutdown Webhooks');
  const received: string[] = [];
  let held: ServerResponse | undefined;
  let firstArrived!: () => void;
  const first = new Promise<void>((resolve) => (firstArrived = resolve));
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString()).data.object.name);
      if (received.length === 1) {
        held = res; // answered only once the worker has been told to stop
        firstArrived();
      } else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const worker = new WebhookDispatcher(ctx.db, {
    allowPrivate: true,
    secrets: ctx.runtime.secrets,
    logger: pino({ level: 'silent' }),
    accountIds: [account.id], // this suite's deliveries only, on a database other suites share
    resources: { endpoints: ctx.registry.get('webhook-endpoints'), deliveries: ctx.registry.get('webhook-deliveries') },
  });
  try {
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/`;
    const endpoint = await ctx.call('POST', '/v1/webhook-endpoints', {
      key: account.key,
      body: { url, enabled_events: ['customer.created'] },
    });
    assert.equal(endpoint.status, 201, endpoint.text);
    const create = (name: string) => ctx.call('POST', '/v1/customers', { key: account.key, body: { name } });
    assert.equal((await create('In flight')).status, 201);
    await worker.start();
    await first;
    assert.equal((await create('Queued')).status, 201);

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'stop waits for the delivery in flight');
    held!.end('ok');
    await stopping;

    assert.deepEqual(received, ['In flight'], 'sent once; nothing claimed after the stop');
    const rows = await systemQuery<{ status: string; attempts: number; locked_until: string | null }>(ctx.db, {
      sql: `SELECT q.status, q.attempts, q.locked_until FROM webhook_queue q JOIN events ev ON ev.id = q.event_id
             WHERE q.account_id = $1 ORDER BY ev.created_at`,
      parameters: [account.id],
    });
    assert.equal(rows.length, 2);
    assert.notEqual(rows[0].status, 'pending', 'the delivery in flight was recorded');
    assert.deepEqual(rows[1], { status: 'pending', attempts: 0, locked_until: null }, 'the queued one is unclaimed');
    const log = await ctx.call('GET', `/v1/webhook-endpoints/${endpoint.body.data.id}/deliveries`, {
      key: account.key,
    });
    assert.deepEqual(
      log.body.data.map((d: { status: string }) => d.status),
      ['succeeded'],
    );

    const next = ctx.runtime.use(webhookDelivery); // another node's worker
    assert.equal(await next.drain({ accountIds: [account.id] }), 1, 'the next worker sends the queued one');
    assert.deepEqual(received, ['In flight', 'Queued'], 'each event delivered once');
  } finally {
    receiver.closeAllConnections();
    receiver.close();
  }
});
