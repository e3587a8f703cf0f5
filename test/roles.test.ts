// Every role gets exactly the access docs/roles.md documents, on every route of the registry;
// a technician changes only their own work.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { memberWithRole as memberWithRoleIn, signUp as signUpAs } from './support/members.ts';
import { roleMatrixMarkdown, roleScopes, type Role } from '../src/auth/roles.ts';
import { USER_ROLES } from '../src/auth/roles.ts';
import { hasScope } from '../src/platform/operations/principal.ts';
import { inRoleMatrix } from '../src/platform/api/test-matrices.ts';

let t: TestContext;
let owner: { cookie: string; accountId: string };
const sessions = new Map<Role, { cookie: string; userId: string }>();

const signUp = (name: string) => signUpAs(t, name);
const memberWithRole = (role: Role) => memberWithRoleIn(t, owner.cookie, role);

before(async () => {
  t = await createTestContext();
  const signedUp = await signUp('owner');
  owner = { cookie: signedUp.cookie, accountId: signedUp.accountId };
  const me = await t.call('GET', '/v1/users/me', { headers: { cookie: owner.cookie } });
  sessions.set('owner', { cookie: owner.cookie, userId: me.body.data.id });
  for (const role of USER_ROLES.filter((r) => r !== 'owner')) sessions.set(role, await memberWithRole(role));
});
after(async () => {
  await t.close();
});

it('docs/roles.md is the matrix the registry produces (`fieldline roles`)', () => {
  assert.equal(readFileSync(new URL('../docs/roles.md', import.meta.url), 'utf8'), roleMatrixMarkdown(t.registry));
});

describe('each role reaches exactly the routes its scopes allow', () => {
  const concrete = (path: string) => path.replace(/\{id\}/g, 'zzz_01JZZZZZZZZZZZZZZZZZZZZZZZ').replace(/\{\w+\}/g, 'x');
  for (const role of USER_ROLES) {
    it(`${role}`, async () => {
      const all = t.api.operations
        .filter(inRoleMatrix)
        .map((r) => ({ method: r.method, path: r.path, scope: r.scope! }));
      const principal = { scopes: new Set(roleScopes(t.registry, role)) } as unknown as Parameters<typeof hasScope>[0];
      const wrong: string[] = [];
      for (const route of all) {
        const body = route.method === 'get' || route.method === 'delete' ? undefined : {};
        const res = await t.call(route.method.toUpperCase(), concrete(route.path), {
          headers: { cookie: sessions.get(role)!.cookie },
          body,
        });
        const refused = res.status === 403 && res.body.code === 'insufficient_scope';
        if (refused === hasScope(principal, route.scope))
          wrong.push(`${route.method.toUpperCase()} ${route.path} (${route.scope}): ${res.status}`);
        assert.notEqual(res.status, 500, `${route.method} ${route.path}: ${res.text}`);
      }
      assert.deepEqual(wrong, [], `${role} got access other than documented`);
    });
  }
});

describe('a technician changes only their own work', () => {
  it('works on jobs assigned to them, and on no other', async () => {
    const tech = sessions.get('technician')!;
    const other = await t.call('POST', '/v1/users', {
      headers: { cookie: owner.cookie },
      body: { name: 'Other tech', email: `other.${randomBytes(3).toString('hex')}@example.test`, role: 'technician' },
    });
    const customer = await t.call('POST', '/v1/customers', {
      headers: { cookie: owner.cookie },
      body: { name: 'Pat Customer' },
    });
    const newJob = async (technicianId: string) => {
      const job = await t.call('POST', '/v1/jobs', {
        headers: { cookie: owner.cookie },
        body: { title: 'Fix the boiler', customer_id: customer.body.data.id },
      });
      const assigned = await t.call('POST', `/v1/jobs/${job.body.data.id}/assign`, {
        headers: { cookie: owner.cookie },
        body: { technician_id: technicianId },
      });
      assert.equal(assigned.status, 200, assigned.text);
      return job.body.data.id as string;
    };
    const mine = await newJob(tech.userId);
    const theirs = await newJob(other.body.data.id);

    const mySchedule = await t.call('POST', `/v1/jobs/${mine}/schedule`, {
      headers: { cookie: tech.cookie },
      body: { scheduled_start: '2026-12-01T09:00:00Z', scheduled_end: '2026-12-01T11:00:00Z' },
    });
    assert.equal(mySchedule.status, 200, mySchedule.text);
    assert.equal((await t.call('POST', `/v1/jobs/${mine}/start`, { headers: { cookie: tech.cookie } })).status, 200);
    const entry = await t.call('POST', '/v1/time-entries', {
      headers: { cookie: tech.cookie },
      body: { technician_id: tech.userId, job_id: mine, started_at: '2026-12-01T09:00:00Z' },
    });
    assert.equal(entry.status, 201, entry.text);

    assertProblem(
      await t.call('POST', `/v1/jobs/${theirs}/schedule`, {
        headers: { cookie: tech.cookie },
        body: { scheduled_start: '2026-12-02T09:00:00Z', scheduled_end: '2026-12-02T11:00:00Z' },
      }),
      403,
      'forbidden',
    );
    assertProblem(
      await t.call('PATCH', `/v1/jobs/${theirs}`, { headers: { cookie: tech.cookie }, body: { title: 'Mine now' } }),
      403,
      'forbidden',
    );
    assertProblem(
      await t.call('POST', '/v1/time-entries', {
        headers: { cookie: tech.cookie },
        body: { technician_id: other.body.data.id, job_id: theirs, started_at: '2026-12-01T09:00:00Z' },
      }),
      403,
      'forbidden',
    );
    assertProblem(
      await t.call('POST', '/v1/jobs', {
        headers: { cookie: tech.cookie },
        body: { title: 'Side job', customer_id: customer.body.data.id },
      }),
      403,
      'forbidden',
    );
    assert.equal(
      (await t.call('GET', `/v1/jobs/${theirs}`, { headers: { cookie: tech.cookie } })).status,
      200,
      'reading is not limited',
    );
    assertProblem(
      await t.call('POST', `/v1/jobs/${mine}/assign`, {
        headers: { cookie: tech.cookie },
        body: { technician_id: other.body.data.id },
      }),
      403,
      'forbidden',
    );

    const day = await t.call('GET', '/v1/tech/jobs?date=2026-12-01', { headers: { cookie: tech.cookie } });
    assert.equal(day.status, 200, day.text);
    assert.equal(day.body.data.technician_id, tech.userId);
    assert.deepEqual(
      day.body.data.data.map((j: any) => j.id),
      [mine],
    );
  });
});

describe("a technician's notifications are their own", () => {
  it('creates, marks and deletes only their own', async () => {
    const tech = sessions.get('technician')!;
    const ownerId = sessions.get('owner')!.userId;
    assertProblem(
      await t.call('POST', '/v1/notifications', {
        headers: { cookie: tech.cookie },
        body: { user_id: ownerId, title: 'Click here' },
      }),
      403,
      'forbidden',
    );
    assertProblem(
      await t.call('POST', '/v1/notifications/read-all', {
        headers: { cookie: tech.cookie },
        body: { user_id: ownerId },
      }),
      403,
      'forbidden',
    );
    const forOwner = await t.call('POST', '/v1/notifications', {
      headers: { cookie: owner.cookie },
      body: { user_id: ownerId, title: 'For the owner' },
    });
    assert.equal(forOwner.status, 201, forOwner.text);
    assertProblem(
      await t.call('DELETE', `/v1/notifications/${forOwner.body.data.id}`, { headers: { cookie: tech.cookie } }),
      403,
      'forbidden',
    );
    assert.equal(
      (
        await t.call('POST', '/v1/notifications/read-all', {
          headers: { cookie: tech.cookie },
          body: { user_id: tech.userId },
        })
      ).status,
      200,
    );
  });
});
