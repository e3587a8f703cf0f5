// The audit trail end to end: each kind of actor (API key, member session, OAuth app on behalf of
// a member, automation rule) on the event and in GET /v1/audit-log for its create, update, action
// and delete; key, role, webhook and OAuth app changes; request-log reads and exports; filters;
// append-only (the tenant role and the superuser alike); tenancy; retention.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { signUpPerson } from './support/oauth-flow.ts';
import { assertProblem } from './support/problem-assertions.ts';
import type { Database } from '../src/db/database.ts';
import { systemQuery, systemTransaction } from '../src/db/system-query.ts';
import { withTenantTransaction } from '../src/db/tenant-transaction.ts';
import { accountPrincipal, type Principal } from '../src/platform/operations/principal.ts';
import { createOperation, updateOperation } from '../src/platform/operations/write-operations.ts';
import { auditStatement } from '../src/audit/record-audit.ts';
import { AuditPurge } from '../src/audit/audit-purge.ts';

let t: TestContext;
let account: TestAccount;
/** Every SQL text sent while set: one text is one round trip. */
let sent: string[] | undefined;

/** The database, with each round trip's text written down while `sent` is set. */
function recording(db: Database): Database {
  return {
    ...db,
    kind: db.kind,
    poolStats: () => db.poolStats(),
    listen: (...args) => db.listen(...args),
    close: () => db.close(),
    withConnection: (work) =>
      db.withConnection((connection) =>
        work({
          copyFrom: (...args) => connection.copyFrom(...args),
          query: (...args) => connection.query(...args),
          run: (text) => {
            sent?.push(text);
            return connection.run(text);
          },
        }),
      ),
  };
}

before(async () => {
  t = await createTestContext({ wrapDatabase: recording });
  account = await t.newAccount('Audited Co');
});
after(() => t.close());

const auditOf = async (query: string, key = account.key) => {
  const res = await t.call('GET', `/v1/audit-log?${query}`, { key });
  assert.equal(res.status, 200, res.text);
  return res.body.data as Record<string, any>[];
};
const eventsOf = async (id: string) =>
  (await t.call('GET', `/v1/events?limit=100`, { key: account.key })).body.data.filter(
    (e: any) => e.data.object.id === id,
  );

describe('the actor of every change, on its event and in the audit log', () => {
  test('an API key: create, update, action and delete, with request id, address and changes', async () => {
    const headers = { 'user-agent': 'audit-suite/1' };
    const created = await t.call('POST', '/v1/customers', { key: account.key, body: { name: 'Ada' }, headers });
    assert.equal(created.status, 201, created.text);
    const id = created.body.data.id;
    const job = await t.call('POST', '/v1/jobs', { key: account.key, body: { title: 'Boiler', customer_id: id } });
    assert.equal(job.status, 201, job.text);
    const patched = await t.call('PATCH', `/v1/customers/${id}`, { key: account.key, body: { name: 'Ada L.' } });
    assert.equal(patched.status, 200, patched.text);
    const cancelled = await t.call('POST', `/v1/jobs/${job.body.data.id}/cancel`, { key: account.key, body: {} });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal((await t.call('DELETE', `/v1/jobs/${job.body.data.id}`, { key: account.key })).status, 200);

    const [keyRow] = (await t.call('GET', '/v1/api-keys', { key: account.key })).body.data;
    const byKey = { type: 'api_key', id: keyRow.id, on_behalf_of: null };
    for (const event of await eventsOf(id)) assert.deepEqual(event.data.actor, byKey, event.type);

    const entries = await auditOf(`resource_id[in]=${id},${job.body.data.id}&sort=created_at`);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['customer.created', 'job.created', 'customer.updated', 'job.cancelled', 'job.deleted'],
    );
    for (const entry of entries) {
      assert.equal(entry.actor_type, 'api_key');
      assert.equal(entry.actor_id, keyRow.id);
      assert.equal(entry.on_behalf_of, null);
    }
    assert.equal(entries[0].request_id, created.headers.get('x-request-id'));
    assert.equal(entries[0].user_agent, 'audit-suite/1');
    assert.equal(entries[0].resource_type, 'customer');
    assert.deepEqual(entries[2].changes, { name: { from: 'Ada', to: 'Ada L.' } });
  });

  test('a member signed in is the actor of what they change', async () => {
    const person = await signUpPerson(t, 'Mina');
    const created = await t.call('POST', '/v1/customers', { headers: { cookie: person.cookie }, body: { name: 'B' } });
    assert.equal(created.status, 201, created.text);
    const [entry] = (
      await t.call('GET', `/v1/audit-log?resource_id=${created.body.data.id}`, { headers: { cookie: person.cookie } })
    ).body.data;
    assert.deepEqual([entry.action, entry.actor_type, entry.actor_id], ['customer.created', 'member', person.userId]);
    const [event] = (
      await t.call('GET', '/v1/events?type=customer.created&limit=1', { headers: { cookie: person.cookie } })
    ).body.data;
    assert.deepEqual(event.data.actor, { type: 'member', id: person.userId, on_behalf_of: null });
  });

  test('an OAuth app on behalf of a member, and an automation rule, are each named', async () => {
    const base = accountPrincipal(account.id);
    const everything = new Set(['read:*', 'write:*']);
    const app: Principal = { ...base, scopes: everything, oauthClientId: 'oac_app', userId: 'usr_granter' };
    const rule: Principal = { ...base, scopes: everything, automationRuleId: 'aur_rule' };
    const customers = t.registry.get('customers');
    const made = await createOperation(t.runtime, customers, app, { name: 'Via app' });
    await updateOperation(t.runtime, customers, rule, made.id as string, { name: 'Via rule' });
    const entries = await auditOf(`resource_id=${made.id}&sort=created_at`);
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor_type, e.actor_id, e.on_behalf_of]),
      [
        ['customer.created', 'oauth_app', 'oac_app', 'usr_granter'],
        ['customer.updated', 'automation', 'aur_rule', null],
      ],
    );
    const events = await eventsOf(made.id as string);
    assert.deepEqual(events.map((e: any) => e.data.actor).reverse(), [
      { type: 'oauth_app', id: 'oac_app', on_behalf_of: 'usr_granter' },
      { type: 'automation', id: 'aur_rule', on_behalf_of: null },
    ]);
  });
});

describe('the cost of the audit entry', () => {
  test('a write sends its audit entry in the round trip that writes its event and commits', async () => {
    await t.call('GET', '/v1/customers?limit=1', { key: account.key }); // the key is known (cached)
    sent = [];
    const created = await t.call('POST', '/v1/customers', { key: account.key, body: { name: 'Counted' } });
    const id = created.body.data.id;
    const patched = await t.call('PATCH', `/v1/customers/${id}`, { key: account.key, body: { name: 'Counted 2' } });
    const trips = sent;
    sent = undefined;
    assert.equal(patched.status, 200, patched.text);
    const auditing = trips.filter((text) => /insert into "?audit_log"?/i.test(text));
    assert.equal(auditing.length, 2, 'one entry for the create, one for the update');
    for (const text of auditing) {
      assert.match(text, /insert into "?events"?/i, 'with the event');
      assert.match(text, /COMMIT$/, 'and the commit');
    }
    // A create is one round trip of the tenant's (BEGIN, the row, its event, its entry, COMMIT) and an
    // update two (the row locked and read, then the change with its event and entry): as before.
    const tenantTrips = trips.filter((text) => text.includes('SET LOCAL app.account_id') || /COMMIT$/.test(text));
    assert.equal(tenantTrips.length, 3, `${tenantTrips.length} tenant round trips:\n${tenantTrips.join('\n---\n')}`);
  });
});

describe('permissions, keys, webhooks, apps and settings are audited', () => {
  test('an API key made, a role changed, a webhook endpoint changed, an OAuth app and the account', async () => {
    const owner = await signUpPerson(t, 'Olga');
    const as = { headers: { cookie: owner.cookie } };
    const call = (method: string, path: string, body?: unknown) => t.call(method, path, { ...as, body });
    const key = await call('POST', '/v1/api-keys', { name: 'CI', scopes: ['read:customers'] });
    assert.equal(key.status, 201, key.text);
    const user = await call('POST', '/v1/users', { name: 'Tom', email: 'tom@example.test', role: 'technician' });
    assert.equal(user.status, 201, user.text);
    assert.equal((await call('PATCH', `/v1/users/${user.body.data.id}`, { role: 'dispatcher' })).status, 200);
    const hook = await call('POST', '/v1/webhook-endpoints', {
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['customer.created'],
    });
    assert.equal(hook.status, 201, hook.text);
    const hookId = hook.body.data.id;
    assert.equal((await call('PATCH', `/v1/webhook-endpoints/${hookId}`, { url: 'http://127.0.0.1:9/b' })).status, 200);
    const app = await call('POST', '/v1/oauth/clients', {
      name: 'Dispatch app',
      redirect_uris: ['http://127.0.0.1:9/cb'],
      scopes: ['read:jobs'],
    });
    assert.equal(app.status, 201, app.text);
    assert.equal((await call('PATCH', '/v1/account', { name: 'Olga Renamed' })).status, 200);

    const trail = (await call('GET', '/v1/audit-log?limit=100&actor_type=member')).body.data as any[];
    const find = (action: string, id?: string) =>
      trail.find((e) => e.action === action && (id === undefined || e.resource_id === id));
    assert.ok(find('api_key.created', key.body.data.id), 'the key');
    const roleChange = find('user.updated', user.body.data.id);
    assert.deepEqual(roleChange.changes.role, { from: 'technician', to: 'dispatcher' });
    assert.ok(find('webhook_endpoint.created', hookId));
    assert.deepEqual(find('webhook_endpoint.updated', hookId).changes.url, {
      from: 'http://127.0.0.1:9/hook',
      to: 'http://127.0.0.1:9/b',
    });
    assert.ok(find('oauth_client.created', app.body.data.id));
    assert.deepEqual(find('account.updated').changes, { name: { to: 'Olga Renamed' } });
    for (const entry of trail) assert.equal(entry.actor_id, owner.userId);
    assert.ok(!JSON.stringify(trail).includes(key.body.data.secret), 'no secret in the trail');
  });

  test('reading request-log bodies and exporting are audited; CSV cells cannot start a formula', async () => {
    assert.equal((await t.call('GET', '/v1/request-logs?limit=5', { key: account.key })).status, 200);
    const [read] = await auditOf('action=request_log.read');
    assert.equal(read.actor_type, 'api_key');
    assert.equal(read.changes.query, 'limit=5');

    await t.call('GET', '/v1/customers?limit=1', { key: account.key, headers: { 'user-agent': '=HYPERLINK("x")' } });
    await t.call('POST', '/v1/customers', { key: account.key, body: { name: 'F' }, headers: { 'user-agent': '=1+1' } });
    const csv = await t.call('GET', '/v1/audit-log/export?format=csv&action=customer.created', { key: account.key });
    assert.equal(csv.status, 200, csv.text);
    assert.match(csv.text, /^id,object,action,actor_type,/);
    assert.ok(csv.text.includes(",'=1+1,"), 'the user agent is escaped');
    const [exported] = await auditOf('action=audit_log_entry.exported');
    assert.equal(exported.changes.query, 'format=csv&action=customer.created');
  });
});

describe('GET /v1/audit-log', () => {
  test('filters by actor, resource, action and time; owners and admins only; other accounts unreachable', async () => {
    const made = await t.call('POST', '/v1/customers', { key: account.key, body: { name: 'Filtered' } });
    const id = made.body.data.id;
    const [entry] = await auditOf(`resource_type=customer&resource_id=${id}&action=customer.created`);
    assert.equal(entry.resource_id, id);
    assert.equal((await auditOf(`actor_type=automation&resource_id=${id}`)).length, 0);
    assert.equal((await auditOf(`actor_id=${entry.actor_id}&resource_id=${id}`)).length, 1);
    assert.equal((await auditOf(`created_at[gte]=${entry.created_at}&resource_id=${id}`)).length, 1);
    assert.equal((await auditOf(`created_at[lt]=${entry.created_at}&resource_id=${id}`)).length, 0);
    const page = await t.call('GET', '/v1/audit-log?limit=1', { key: account.key });
    assert.equal(page.body.page.has_more, true);
    const next = await t.call('GET', `/v1/audit-log?limit=1&cursor=${page.body.page.next_cursor}`, {
      key: account.key,
    });
    assert.notEqual(next.body.data[0].id, page.body.data[0].id);
    assertProblem(await t.call('GET', '/v1/audit-log?actor_type=robot', { key: account.key }), 400, 'bad_request');

    const narrow = await t.newKey(account.id, ['read:customers']);
    assertProblem(await t.call('GET', '/v1/audit-log', { key: narrow }), 403, 'insufficient_scope');
    const other = await t.newAccount('Other Co');
    assertProblem(await t.call('GET', `/v1/audit-log/${entry.id}`, { key: other.key }), 404, 'not_found');
    assert.equal((await auditOf(`resource_id=${id}`, other.key)).length, 0);
  });
});

describe('append-only and retention', () => {
  test('the tenant role can neither update nor delete entries, nor can the superuser without the purge', async () => {
    const [entry] = await auditOf('limit=1');
    for (const sql of [`UPDATE audit_log SET action = 'forged' WHERE id = $1`, 'DELETE FROM audit_log WHERE id = $1']) {
      await assert.rejects(
        withTenantTransaction(t.db, account.id, (tx) => tx.query({ sql, parameters: [entry.id] })),
        /permission denied|append-only/,
        sql,
      );
      await assert.rejects(systemQuery(t.db, { sql, parameters: [entry.id] }), /append-only/, sql);
    }
    const [still] = await auditOf(`id=${entry.id}`);
    assert.equal(still.action, entry.action);
  });

  test('the purge deletes only entries past the retention', async () => {
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    const entry = (daysAgo: number) =>
      auditStatement(account.id, {
        action: 'retention.probe',
        actor: { type: 'system', id: null, on_behalf_of: null },
        resourceId: `${daysAgo}`,
        occurredAt: at(daysAgo),
      });
    await systemTransaction(t.db, [entry(400), entry(366), entry(364), entry(1)]);
    const purged = await new AuditPurge(t.db, pino({ level: 'silent' }), 365).sweep();
    assert.ok(purged >= 2, `${purged}`);
    const left = await auditOf('action=retention.probe&sort=created_at');
    assert.deepEqual(
      left.map((e) => e.resource_id),
      ['364', '1'],
    );
  });
});
