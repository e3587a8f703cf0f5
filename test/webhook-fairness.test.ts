// Deliveries are claimed fairly between accounts: one account's burst does not hold back another
// account's next event (webhook-dispatcher.ts: each round gives every waiting account an equal
// share of the batch, oldest first within each account).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { webhookDelivery } from '../src/webhooks/webhook-service.ts';

const BURST = 240;
const BATCH = 50; // the dispatcher's default batch

let ctx: TestContext;
let server: Server;
let url: string;
/** Which account each delivery was for, in the order they arrived. */
const arrivals: string[] = [];

before(async () => {
  ctx = await createTestContext({ webhooks: { allowPrivate: true } });
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(req.url!.slice(1)); // each endpoint's path is its account's id
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await ctx.close();
});

/** An endpoint for customer.created at a path naming the account, and the event of one new customer. */
async function subscribedAccount(name: string): Promise<{ account: TestAccount; eventId: string }> {
  const account = await ctx.newAccount(name);
  const endpoint = await ctx.call('POST', '/v1/webhook-endpoints', {
    key: account.key,
    body: { url: `${url}/${account.id}`, enabled_events: ['customer.created'] },
  });
  assert.equal(endpoint.status, 201, endpoint.text);
  const customer = await ctx.call('POST', '/v1/customers', { key: account.key, body: { name: `${name} customer` } });
  assert.equal(customer.status, 201, customer.text);
  const [event] = await systemQuery(ctx.runtime.db, {
    sql: `SELECT id FROM events WHERE account_id = $1 AND type = 'customer.created'`,
    parameters: [account.id],
  });
  return { account, eventId: String(event.id) };
}

test("a burst of one account's events does not hold back another account's next event", async () => {
  const busy = await subscribedAccount('Busy Co');
  // The burst: copies of its event, inserted as any write inserts events (the queueing trigger fires).
  const columns = (
    await systemQuery(ctx.runtime.db, {
      sql: `SELECT column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = 'events' AND column_name <> 'id'`,
      parameters: [],
    })
  ).map((row) => String(row.column_name));
  await systemQuery(ctx.runtime.db, {
    sql: `INSERT INTO events (id, ${columns.join(', ')})
          SELECT 'evt_burst' || lpad(n::text, 5, '0'), ${columns.join(', ')}
            FROM events, generate_series(2, $2) AS n WHERE id = $1`,
    parameters: [busy.eventId, BURST],
  });
  // Queued after the whole burst.
  const quiet = await subscribedAccount('Quiet Co');

  const delivered = await ctx.runtime.use(webhookDelivery).drain({ accountIds: [busy.account.id, quiet.account.id] });
  assert.equal(delivered, BURST + 1);
  assert.equal(arrivals.filter((id) => id === busy.account.id).length, BURST);
  const quietAt = arrivals.indexOf(quiet.account.id);
  // Oldest first across accounts, it would come last (position 240); with a share per account it is
  // in the first round: half a batch of the busy account's and its own.
  assert.ok(quietAt >= 0 && quietAt <= BATCH / 2, `the quiet account's event arrived at position ${quietAt}`);
});

test('a round serves 32 accounts with deliveries due, and the next goes on after them', async () => {
  const accounts: TestAccount[] = [];
  for (let n = 0; n < 34; n++) accounts.push((await subscribedAccount(`Account ${n}`)).account);
  const ids = accounts.map((account) => account.id).sort();
  const drain = () => ctx.runtime.use(webhookDelivery).drain({ accountIds: ids });
  // All but the last account in id order wait for a retry an hour away: they are not due, so they
  // take no place in a round, and the last one is served at once.
  await systemQuery(ctx.runtime.db, {
    sql: `UPDATE webhook_queue SET next_attempt_at = now() + interval '1 hour' WHERE account_id = ANY ($1::text[])`,
    parameters: [ids.slice(0, -1)],
  });
  arrivals.length = 0;
  assert.equal(await drain(), 1);
  assert.deepEqual(arrivals, [ids.at(-1)]);
  // Then all 33 are due: more than a round holds, all delivered by one drain.
  await systemQuery(ctx.runtime.db, {
    sql: `UPDATE webhook_queue SET next_attempt_at = now() WHERE account_id = ANY ($1::text[])`,
    parameters: [ids.slice(0, -1)],
  });
  arrivals.length = 0;
  assert.equal(await drain(), 33);
  assert.deepEqual([...arrivals].sort(), ids.slice(0, -1));
});
