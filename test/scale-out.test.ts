// N stateless nodes: two `fieldline serve` processes behind nginx (scripts/two-nodes.js) on one
// PostgreSQL database of this test's own and one Redis. Through nginx and against each node
// directly: rate limits are shared exactly, each webhook is sent once, an event reaches a stream
// on either node, an upload on one is served by the other, a revoked key or a changed role is
// refused on the other node at once, and alert rules are evaluated once per round. Two processes
// cannot share embedded PGlite: this file runs on the PostgreSQL pass (DATABASE_URL and REDIS_URL
// set) and skips otherwise.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { NGINX, UPSTREAM_HEADER, startTwoNodes, type TwoNodes } from '../scripts/two-nodes.js';
import { connectPostgres } from '../src/db/connect-postgres.ts';
import type { Database } from '../src/db/database.ts';
import { systemQuery, systemTransaction } from '../src/db/system-query.ts';
import { createAccount } from '../src/auth/accounts.ts';
import { prepareApiKey } from '../src/auth/api-keys.ts';
import type { RateLimitOverrides } from '../src/limits/plans.ts';
import { multipartBody, TINY_PNG } from './support/uploads.ts';
import { readFrames, type Frame } from './support/sse-frames.ts';

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const runs = Boolean(DATABASE_URL?.startsWith('postgres') && REDIS_URL);
if (runs && !existsSync(NGINX) && process.env.FIELDLINE_REQUIRE_NGINX === '1')
  throw new Error(`${NGINX} is required: apt-get install nginx-light`);
const skip = !runs
  ? 'needs DATABASE_URL (PostgreSQL) and REDIS_URL: two processes cannot share embedded PGlite'
  : !existsSync(NGINX)
    ? `${NGINX} is not installed (apt-get install nginx-light)`
    : false;

/** Seconds between alert rounds on both nodes (the smallest the configuration allows). */
const ALERT_INTERVAL_SECONDS = 5;

interface Answer {
  status: number;
  body: any;
  /** The node nginx sent the request to (`127.0.0.1:port`); empty for a direct call. */
  upstream: string;
}

async function call(
  base: string,
  method: string,
  path: string,
  options: { key?: string; cookie?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  if (response.headers.getSetCookie().length) body = { ...body, cookies: response.headers.getSetCookie() };
  return { status: response.status, body, upstream: response.headers.get(UPSTREAM_HEADER) ?? '' };
}

/** Polls `check` until it returns a value, failing with `what` after `ms`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An open Server-Sent Events stream: the event frames it has received. */
async function openStream(base: string, key: string) {
  const abort = new AbortController();
  const response = await fetch(`${base}/v1/events/stream`, {
    headers: { authorization: `Bearer ${key}` },
    signal: abort.signal,
  });
  assert.equal(response.status, 200);
  const frames: Frame[] = [];
  let connected = false;
  void readFrames(response.body!, frames, (comment) => {
    if (comment.startsWith('connected')) connected = true;
  });
  await eventually('the stream to say it is connected', async () => (connected ? true : undefined));
  return { frames, close: () => abort.abort() };
}

describe('two API nodes behind nginx on one PostgreSQL and one Redis', { skip }, () => {
  const name = `fieldline_scale_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const adminUrl = new URL(DATABASE_URL ?? 'postgres://localhost/postgres');
  adminUrl.pathname = '/postgres';
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${name}`;
  let cluster: TwoNodes;
  let db: Database;
  let accountId: string;
  let ownerKey: string;
  let nodeA: string;
  let nodeB: string;
  let alertRuleId: string;

  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl.href });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  const newKey = async (scopes: string[], rateLimits?: RateLimitOverrides) => {
    const key = prepareApiKey({ accountId, name: 'scale-out key', mode: 'live', scopes, rateLimits });
    await systemTransaction(db, key.statements);
    return { id: key.id, secret: key.secret };
  };

  before(async () => {
    await admin(`CREATE DATABASE ${name}`);
    cluster = await startTwoNodes({
      databaseUrl: databaseUrl.href,
      redisUrl: REDIS_URL!,
      env: {
        FIELDLINE_WEBHOOK_ALLOW_PRIVATE: '1',
        FIELDLINE_ALERT_INTERVAL_SECONDS: String(ALERT_INTERVAL_SECONDS),
      },
    });
    [nodeA, nodeB] = cluster.nodes.map((node) => node.base);
    db = await connectPostgres(databaseUrl.href, 2);
    const created = await createAccount(db, { name: 'Scale-out Co' });
    accountId = created.account.id;
    ownerKey = created.api_key;

    // What the nodes record per evaluation is the rule's last_evaluated_at, overwritten each
    // round; a trigger in this test's own database keeps every one of them.
    await systemQuery(db, {
      sql: `CREATE TABLE scale_out_evaluations (rule_id text NOT NULL, evaluated_at timestamptz NOT NULL);
            CREATE FUNCTION scale_out_record_evaluation() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
            BEGIN INSERT INTO scale_out_evaluations VALUES (NEW.id, NEW.last_evaluated_at); RETURN NEW; END $$;
            CREATE TRIGGER scale_out_evaluations AFTER UPDATE ON alert_rules FOR EACH ROW
              WHEN (NEW.last_evaluated_at IS DISTINCT FROM OLD.last_evaluated_at)
              EXECUTE FUNCTION scale_out_record_evaluation()`,
      parameters: [],
    });
    const rule = await call(cluster.url, 'POST', '/v1/alert-rules', {
      key: ownerKey,
      // Always at or above 0: the rule fires at its first evaluation and stays firing.
      body: { name: 'Always', metric: 'quota_use', threshold: 0, notify_emails: ['ops@example.test'] },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    alertRuleId = rule.body.data.id;
  });

  after(async () => {
    await cluster?.stop();
    await db?.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  test('nginx sends requests to both nodes in turn', async () => {
    const upstreams = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const answer = await call(cluster.url, 'GET', '/v1/health');
      assert.equal(answer.status, 200);
      upstreams.add(answer.upstream);
    }
    assert.deepEqual([...upstreams].sort(), cluster.nodes.map((node) => `127.0.0.1:${node.port}`).sort());
  });

  test('a rate limit is shared exactly: both nodes together allow the limit, not twice it', async () => {
    const limits = { read: { limit: 10, window_seconds: 600 } };
    // Through nginx, all at once.
    const viaNginx = await newKey(['read:customers'], limits);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => call(cluster.url, 'GET', '/v1/customers?limit=1', { key: viaNginx.secret })),
    );
    const allowed = answers.filter((a) => a.status === 200);
    assert.equal(allowed.length, 10, answers.map((a) => a.status).join(' '));
    assert.equal(answers.filter((a) => a.status === 429).length, 20);
    assert.equal(new Set(answers.map((a) => a.upstream)).size, 2, 'nginx used both nodes');

    // Each node directly, in turn.
    const direct = await newKey(['read:customers'], limits);
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      statuses.push((await call(i % 2 ? nodeB : nodeA, 'GET', '/v1/customers?limit=1', { key: direct.secret })).status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(200), ...Array(14).fill(429)]);
    for (const base of [nodeA, nodeB])
      assert.equal((await call(base, 'GET', '/v1/rate-limit', { key: ownerKey })).body.data.store, 'redis');
  });

  test('each webhook is sent once, with both nodes delivering', async () => {
    const received = new Map<string, number>();
    const receiver: Server = createServer((request, response) => {
      const id = String(request.headers['webhook-id']);
      request.resume();
      request.on('end', () => {
        received.set(id, (received.get(id) ?? 0) + 1);
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as { port: number };
      const endpoint = await call(cluster.url, 'POST', '/v1/webhook-endpoints', {
        key: ownerKey,
        body: { url: `http://127.0.0.1:${port}/hook`, enabled_events: ['customer.created'] },
      });
      assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
      const count = 40;
      const created = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          call(i % 2 ? nodeB : cluster.url, 'POST', '/v1/customers', { key: ownerKey, body: { name: `Hook ${i}` } }),
        ),
      );
      assert.deepEqual(new Set(created.map((c) => c.status)), new Set([201]));
      const deliveries = await eventually('every delivery to be recorded', async () => {
        const list = await call(
          cluster.url,
          'GET',
          `/v1/webhook-deliveries?endpoint=${endpoint.body.data.id}&limit=100`,
          { key: ownerKey },
        );
        return list.body.data?.length >= count ? (list.body.data as any[]) : undefined;
      });
      assert.equal(deliveries.length, count, 'one delivery row per event');
      assert.equal(new Set(deliveries.map((d) => d.event)).size, count);
      assert.ok(deliveries.every((d) => d.attempt === 1 && d.status === 'succeeded'));
      assert.equal(received.size, count, 'every event reached the receiver');
      assert.deepEqual([...new Set(received.values())], [1], 'each event reached it once');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  test('an event reaches a stream on either node, whichever node wrote it', async () => {
    // A transaction holding an id in another database on the same server (as a long import or
    // migration elsewhere would) cannot write this database's events: it must not hold streams back.
    const elsewhere = new pg.Client({ connectionString: adminUrl.href });
    await elsewhere.connect();
    await elsewhere.query('BEGIN; SELECT pg_current_xact_id()');
    const onA = await openStream(nodeA, ownerKey);
    const onB = await openStream(nodeB, ownerKey);
    const viaNginx = await openStream(cluster.url, ownerKey);
    try {
      const fromB = await call(nodeB, 'POST', '/v1/customers', { key: ownerKey, body: { name: 'Written on B' } });
      const fromA = await call(nodeA, 'POST', '/v1/customers', { key: ownerKey, body: { name: 'Written on A' } });
      for (const stream of [onA, onB, viaNginx]) {
        for (const customer of [fromA, fromB]) {
          await eventually(`customer.created of ${customer.body.data.id} on every stream`, async () =>
            stream.frames.find(
              (f) => f.event === 'customer.created' && f.data.data.object.id === customer.body.data.id,
            ),
          );
        }
      }
    } finally {
      for (const stream of [onA, onB, viaNginx]) stream.close();
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
    }
  });

  test('a photo uploaded through one node is served by the other (one data folder, as a shared volume)', async () => {
    const customer = await call(nodeA, 'POST', '/v1/customers', { key: ownerKey, body: { name: 'Site' } });
    const job = await call(nodeA, 'POST', '/v1/jobs', {
      key: ownerKey,
      body: { title: 'Boiler', customer_id: customer.body.data.id },
    });
    assert.equal(job.status, 201, JSON.stringify(job.body));
    const form = await multipartBody({ caption: 'before' }, { bytes: TINY_PNG });
    const uploaded = await fetch(`${nodeA}/v1/jobs/${job.body.data.id}/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerKey}`, ...form.headers },
      body: new Uint8Array(form.rawBody),
    });
    assert.equal(uploaded.status, 200, await uploaded.clone().text());
    const photo = (await uploaded.json()).data;
    const served = await fetch(`${nodeB}/v1/job-photos/${photo.id}/content`, {
      headers: { authorization: `Bearer ${ownerKey}` },
    });
    assert.equal(served.status, 200);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), TINY_PNG);
  });

  test('a key revoked through one node is refused by the other on its next request', async () => {
    // Several rounds: a notice that reaches node B after the client's next request would show in some.
    // (Few enough that the refusals stay under the failed-authentication limit per address.)
    for (let round = 0; round < 8; round++) {
      const key = await newKey(['read:customers']);
      // Both nodes have verified (and cached) it.
      assert.equal((await call(nodeA, 'GET', '/v1/customers?limit=1', { key: key.secret })).status, 200);
      assert.equal((await call(nodeB, 'GET', '/v1/customers?limit=1', { key: key.secret })).status, 200);
      const revoked = await call(nodeA, 'POST', `/v1/api-keys/${key.id}/revoke`, { key: ownerKey });
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      assert.equal(
        (await call(nodeB, 'GET', '/v1/customers?limit=1', { key: key.secret })).status,
        401,
        `round ${round}`,
      );
      if (round === 0) {
        assert.equal((await call(cluster.url, 'GET', '/v1/customers?limit=1', { key: key.secret })).status, 401);
        assert.equal((await call(nodeA, 'GET', '/v1/customers?limit=1', { key: key.secret })).status, 401);
      }
    }
  });

  test("a member's role changed through one node applies on the other at once", async () => {
    // A person signs up (their own account), is invited into this one as an admin and accepts.
    const email = `member.${randomBytes(4).toString('hex')}@example.test`;
    const signUp = await call(cluster.url, 'POST', '/v1/auth/sign-up', {
      body: { name: 'Member', email, password: 'correct horse battery', account_name: 'Member Co' },
    });
    assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
    const cookie = (signUp.body.cookies as string[])
      .find((c) => c.startsWith('fieldline.session_token='))!
      .split(';')[0];
    const user = await call(nodeA, 'POST', '/v1/users', {
      key: ownerKey,
      body: { name: 'Member', email, role: 'admin' },
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    assert.equal((await call(nodeA, 'POST', `/v1/users/${user.body.data.id}/invite`, { key: ownerKey })).status, 200);
    const [mail] = await systemQuery(db, {
      sql: 'SELECT text_body FROM mail_outbox WHERE $1 = ANY (to_addresses) AND subject LIKE $2',
      parameters: [email, 'You are invited%'],
    });
    const token = /(inv_\S+)/.exec(mail.text_body)![1];
    const accepted = await call(nodeB, 'POST', '/v1/auth/accept-invitation', { cookie, body: { token } });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));

    // An admin reads webhook endpoints; a dispatcher may not.
    for (const base of [nodeA, nodeB])
      assert.equal((await call(base, 'GET', '/v1/webhook-endpoints', { cookie })).status, 200);
    const changed = await call(nodeA, 'PATCH', `/v1/users/${user.body.data.id}`, {
      key: ownerKey,
      body: { role: 'dispatcher' },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((await call(nodeB, 'GET', '/v1/webhook-endpoints', { cookie })).status, 403);
    assert.equal((await call(nodeA, 'GET', '/v1/webhook-endpoints', { cookie })).status, 403);
    assert.equal((await call(nodeB, 'GET', '/v1/customers?limit=1', { cookie })).status, 200, 'still a member');

    // Removed from the account through B: refused on A at once.
    const removed = await call(nodeB, 'PATCH', `/v1/users/${user.body.data.id}`, {
      key: ownerKey,
      body: { status: 'inactive' },
    });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const refused = await call(nodeA, 'GET', '/v1/customers?limit=1', { cookie });
    assert.ok([401, 403].includes(refused.status), `an inactive member's session answered ${refused.status}`);
  });

  test('alert rules are evaluated once per round, not once per node', async () => {
    const evaluations = await eventually(
      'three evaluations of the rule',
      async () => {
        const rows = await systemQuery(db, {
          sql: 'SELECT evaluated_at FROM scale_out_evaluations WHERE rule_id = $1 ORDER BY evaluated_at',
          parameters: [alertRuleId],
        });
        return rows.length >= 3 ? rows.map((row) => Date.parse(row.evaluated_at)) : undefined;
      },
      60_000,
    );
    // A round may start a tenth of the interval early (timers of different nodes drift).
    const gaps = evaluations.slice(1).map((at, i) => at - evaluations[i]);
    assert.ok(
      gaps.every((gap) => gap >= ALERT_INTERVAL_SECONDS * 900),
      `evaluations ${gaps.join(' ms, ')} ms apart: more than one per ${ALERT_INTERVAL_SECONDS} s round`,
    );
    const alerts = await call(cluster.url, 'GET', `/v1/alerts?alert_rule_id=${alertRuleId}`, { key: ownerKey });
    assert.equal(alerts.status, 200, JSON.stringify(alerts.body));
    assert.equal(alerts.body.data.length, 1, 'the rule fired once');
    const [{ mails }] = await systemQuery(db, {
      sql: `SELECT count(*)::int AS mails FROM mail_outbox WHERE subject = '[Fieldline] Alert: Always'`,
      parameters: [],
    });
    assert.equal(mails, 1, 'and mailed once');
  });
});
