// People sign up, sign in and out with a cookie or a bearer token, reset their password and
// confirm their email; members are invited, change roles and are removed; a session acts with
// its member's role, and loses it the moment the member changes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { roleScopes } from '../src/auth/roles.ts';
import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { getMigrations } from 'better-auth/db/migration';
import { peopleAuth } from '../src/auth/auth-services.ts';

let t: TestContext;
before(async () => {
  t = await createTestContext();
});
after(async () => {
  await t.close();
});

const uniqueEmail = (name: string) => `${name.toLowerCase()}.${randomBytes(4).toString('hex')}@example.test`;
const PASSWORD = 'correct horse battery';

/** The cookie pair (`name=value`) a response set, for the next request's Cookie header. */
function sessionCookie(headers: Headers): string {
  const cookie = headers.getSetCookie().find((c) => c.startsWith('fieldline.session_token='));
  assert.ok(cookie, 'a session cookie is set');
  return cookie.split(';')[0];
}

async function signUp(name: string, accountName = `${name}'s company`) {
  const email = uniqueEmail(name);
  const res = await t.call('POST', '/v1/auth/sign-up', {
    body: { name, email, password: PASSWORD, account_name: accountName },
  });
  assert.equal(res.status, 201, res.text);
  return { email, cookie: sessionCookie(res.headers), token: res.body.data.token as string, data: res.body.data };
}

async function lastMailTo(email: string): Promise<string> {
  const [row] = await systemQuery(t.db, {
    sql: 'SELECT text_body FROM mail_outbox WHERE $1 = ANY (to_addresses) ORDER BY created_at DESC, id DESC LIMIT 1',
    parameters: [email],
  });
  assert.ok(row, `a mail was queued for ${email}`);
  return row.text_body;
}

describe("Better Auth's tables", () => {
  it('are the ones our migrations make: Better Auth would create or add nothing', async () => {
    const plan = await getMigrations(t.runtime.use(peopleAuth).options, { throwOnUnsafe: false });
    const named = (changes: { table: string; fields: object }[]) =>
      changes.map((change) => `${change.table}: ${Object.keys(change.fields).join(', ')}`);
    assert.deepEqual(named(plan.toBeCreated), []);
    assert.deepEqual(named(plan.toBeAdded), []);
    assert.deepEqual(plan.schemaProblems, []);
  });
});

describe('signing up, in and out', () => {
  it('signs up a person with a new account they own, and the cookie and the token both act as them', async () => {
    const { data, cookie, token, email } = await signUp('Ada');
    assert.equal(data.person.email, email);
    assert.equal(data.person.email_verified, false);
    assert.match(data.account.id, /^acct_/);
    assert.equal(data.user.role, 'owner');
    assert.equal(data.session.active_account_id, data.account.id);

    const byCookie = await t.call('GET', '/v1/users/me', { headers: { cookie } });
    assert.equal(byCookie.status, 200, byCookie.text);
    assert.equal(byCookie.body.data.id, data.user.user_id);
    assert.equal(byCookie.body.data.role, 'owner');
    assert.equal(byCookie.body.data.person_id, data.person.id);
    const byBearer = await t.call('GET', '/v1/users/me', { key: token });
    assert.equal(byBearer.body.data.id, data.user.user_id);

    const cookieAttributes = (await t.call('POST', '/v1/auth/sign-in', { body: { email, password: PASSWORD } })).headers
      .getSetCookie()
      .join('; ');
    assert.match(cookieAttributes, /HttpOnly/i);
    assert.match(cookieAttributes, /SameSite=Lax/i);
  });

  it('answers a taken email with 409 and bad input with 422, creating nothing', async () => {
    const { email } = await signUp('Bob');
    assertProblem(
      await t.call('POST', '/v1/auth/sign-up', {
        body: { name: 'Bob 2', email, password: PASSWORD, account_name: 'X' },
      }),
      409,
      'conflict',
    );
    const short = await t.call('POST', '/v1/auth/sign-up', {
      body: { name: 'C', email: uniqueEmail('c'), password: 'short', account_name: 'X' },
    });
    assertProblem(short, 422, 'validation_failed');
    assert.equal(short.body.errors[0].path, 'password');
  });

  it('signs in with the right password only, and signing out ends the session everywhere', async () => {
    const { email } = await signUp('Cy');
    assertProblem(
      await t.call('POST', '/v1/auth/sign-in', { body: { email, password: 'wrong password!' } }),
      401,
      'unauthenticated',
    );
    const signedIn = await t.call('POST', '/v1/auth/sign-in', { body: { email, password: PASSWORD } });
    assert.equal(signedIn.status, 200, signedIn.text);
    const cookie = sessionCookie(signedIn.headers);
    assert.equal((await t.call('GET', '/v1/customers', { headers: { cookie } })).status, 200);

    const out = await t.call('POST', '/v1/auth/sign-out', { headers: { cookie } });
    assert.equal(out.status, 200, out.text);
    assert.match(out.headers.getSetCookie().join(';'), /fieldline\.session_token=;|Max-Age=0/);
    assertProblem(await t.call('GET', '/v1/customers', { headers: { cookie } }), 401, 'unauthenticated');
  });

  it('locks an email after ten failed sign-ins, whatever the password afterwards', async () => {
    const { email } = await signUp('Dee');
    for (let i = 0; i < 10; i++)
      assertProblem(
        await t.call('POST', '/v1/auth/sign-in', { body: { email, password: `guess number ${i}` } }),
        401,
        'unauthenticated',
      );
    const locked = await t.call('POST', '/v1/auth/sign-in', { body: { email, password: PASSWORD } });
    assertProblem(locked, 429, 'rate_limited');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
  });

  it("writes every sign-in attempt on a member's email to the account's audit log, for admins only", async () => {
    const { email, cookie, data } = await signUp('Gil');
    assertProblem(
      await t.call('POST', '/v1/auth/sign-in', {
        body: { email, password: 'wrong password here' },
        headers: { 'user-agent': 'audit-test/1' },
      }),
      401,
      'unauthenticated',
    );
    assert.equal((await t.call('POST', '/v1/auth/sign-in', { body: { email, password: PASSWORD } })).status, 200);
    const log = await t.call('GET', '/v1/audit-entries?sort=created_at', { headers: { cookie } });
    assert.equal(log.status, 200, log.text);
    assert.deepEqual(
      log.body.data.map((e: any) => e.action),
      ['sign_in.failed', 'sign_in.succeeded'],
    );
    assert.equal(log.body.data[0].object, 'audit_log_entry');
    assert.equal(log.body.data[0].changes.email, email);
    assert.equal(log.body.data[0].actor_type, 'member');
    assert.equal(log.body.data[0].actor_id, data.user.user_id);
    assert.equal(log.body.data[0].user_agent, 'audit-test/1');
    assert.equal(log.body.data[0].changes.via, 'api');
    // The same entries in the whole audit trail, beside the account's other acts.
    const trail = await t.call('GET', '/v1/audit-log?action[starts_with]=sign_in.&sort=created_at', {
      headers: { cookie },
    });
    assert.deepEqual(
      trail.body.data.map((e: any) => e.id),
      log.body.data.map((e: any) => e.id),
    );
    const failedOnly = await t.call('GET', '/v1/audit-entries?action=sign_in.failed', { headers: { cookie } });
    assert.equal(failedOnly.body.data.length, 1);

    const other = await signUp('Hank');
    assert.deepEqual(
      (await t.call('GET', '/v1/audit-entries', { headers: { cookie: other.cookie } })).body.data.map(
        (e: any) => e.changes.email,
      ),
      [],
      'another account sees none of it',
    );
    const readOnlyKey = await t.newKey(data.account.id, ['read:customers']);
    assertProblem(await t.call('GET', '/v1/audit-entries', { key: readOnlyKey }), 403, 'insufficient_scope');
  });

  it("lists your sessions and revokes one; another person's session is a 404", async () => {
    const { email, cookie } = await signUp('Eve');
    const second = await t.call('POST', '/v1/auth/sign-in', { body: { email, password: PASSWORD } });
    const list = await t.call('GET', '/v1/auth/sessions', { headers: { cookie } });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.data.length, 2);
    assert.equal(list.body.data.filter((s: any) => s.current).length, 1);
    assert.ok(!('token' in list.body.data[0]));

    const other = await signUp('Mallory');
    assertProblem(
      await t.call('DELETE', `/v1/auth/sessions/${second.body.data.session.id}`, { headers: { cookie: other.cookie } }),
      404,
      'not_found',
    );
    const revoked = await t.call('DELETE', `/v1/auth/sessions/${second.body.data.session.id}`, { headers: { cookie } });
    assert.equal(revoked.status, 200, revoked.text);
    assertProblem(await t.call('GET', '/v1/users/me', { key: second.body.data.token }), 401, 'unauthenticated');
    assert.equal((await t.call('GET', '/v1/users/me', { headers: { cookie } })).status, 200);
  });

  it('API keys are not sessions: /v1/auth/session needs a person, /v1/users/me has no member for a key', async () => {
    const account = await t.newAccount();
    assertProblem(await t.call('GET', '/v1/auth/session', { key: account.key }), 401, 'unauthenticated');
    assertProblem(await t.call('GET', '/v1/users/me', { key: account.key }), 404, 'not_found');
  });
});

describe('password reset and email verification', () => {
  it('resets a password with the mailed token, which ends every session and works once', async () => {
    const { email, cookie } = await signUp('Fay');
    const asked = await t.call('POST', '/v1/auth/password-reset', { body: { email } });
    assert.equal(asked.status, 202, asked.text);
    const unknown = await t.call('POST', '/v1/auth/password-reset', { body: { email: uniqueEmail('nobody') } });
    assert.equal(unknown.status, 202, 'an unknown email gets the same answer');

    const mail = await lastMailTo(email);
    const token = /valid for one hour\):\n\n(\S+)/.exec(mail)![1];
    assert.ok(
      mail.includes(`/portal/reset-password?token=${encodeURIComponent(token)}`),
      'the mail links to the portal page that takes the token',
    );
    const newPassword = 'a much better passphrase';
    const reset = await t.call('POST', '/v1/auth/password-reset/confirm', {
      body: { token, new_password: newPassword },
    });
    assert.equal(reset.status, 200, reset.text);
    assertProblem(await t.call('GET', '/v1/users/me', { headers: { cookie } }), 401, 'unauthenticated');
    assertProblem(
      await t.call('POST', '/v1/auth/password-reset/confirm', {
        body: { token, new_password: 'yet another passphrase' },
      }),
      404,
      'not_found',
    );
    assertProblem(
      await t.call('POST', '/v1/auth/sign-in', { body: { email, password: PASSWORD } }),
      401,
      'unauthenticated',
    );
    assert.equal((await t.call('POST', '/v1/auth/sign-in', { body: { email, password: newPassword } })).status, 200);
  });

  it('confirms the email with the link mailed at sign-up', async () => {
    const { email, cookie } = await signUp('Gus');
    const mail = await lastMailTo(email);
    const link = /(\/v1\/auth\/verify-email\?token=\S+)/.exec(mail)![1];
    assert.ok(
      mail.includes(`/portal/verify-email?${link.split('?')[1]}`),
      'the mail links to the portal page that confirms it',
    );
    const verified = await t.call('GET', link);
    assert.equal(verified.status, 200, verified.text);
    const session = await t.call('GET', '/v1/auth/session', { headers: { cookie } });
    assert.equal(session.body.data.person.email_verified, true);
  });
});

describe('members, invitations and roles', () => {
  it('an invited person accepts, acts in the account with their role, and can switch back to their own', async () => {
    const owner = await signUp('Hal', 'Hal Heating');
    const invitee = await signUp('Ivy', 'Ivy Solo');
    const member = await t.call('POST', '/v1/users', {
      headers: { cookie: owner.cookie },
      body: { name: 'Ivy', email: invitee.email, role: 'technician' },
    });
    assert.equal(member.status, 201, member.text);
    assert.equal(member.body.data.person_id, null);
    const invited = await t.call('POST', `/v1/users/${member.body.data.id}/invite`, {
      headers: { cookie: owner.cookie },
    });
    assert.equal(invited.status, 200, invited.text);
    assert.ok(invited.body.data.invited_at);

    const invitation = await lastMailTo(invitee.email);
    const token = /(inv_\S+)/.exec(invitation)![1];
    assert.ok(
      invitation.includes(`/portal/accept-invitation?token=${token}`),
      'the mail links to the portal page that accepts it',
    );
    const accepted = await t.call('POST', '/v1/auth/accept-invitation', {
      headers: { cookie: invitee.cookie },
      body: { token },
    });
    assert.equal(accepted.status, 200, accepted.text);
    assert.deepEqual(accepted.body.data, {
      account_id: owner.data.account.id,
      account_name: 'Hal Heating',
      user_id: member.body.data.id,
      role: 'technician',
    });
    assertProblem(
      await t.call('POST', '/v1/auth/accept-invitation', { headers: { cookie: invitee.cookie }, body: { token } }),
      404,
      'not_found',
    );

    // Now acting in Hal Heating as a technician: reads jobs, cannot touch customers or keys.
    assert.equal((await t.call('GET', '/v1/jobs', { headers: { cookie: invitee.cookie } })).status, 200);
    assertProblem(
      await t.call('POST', '/v1/customers', { headers: { cookie: invitee.cookie }, body: { name: 'Nope' } }),
      403,
      'insufficient_scope',
    );
    assertProblem(
      await t.call('GET', '/v1/api-keys', { headers: { cookie: invitee.cookie } }),
      403,
      'insufficient_scope',
    );
    const session = await t.call('GET', '/v1/auth/session', { headers: { cookie: invitee.cookie } });
    assert.deepEqual(session.body.data.accounts.map((a: any) => a.role).sort(), ['owner', 'technician']);
    assert.deepEqual(
      session.body.data.scopes,
      roleScopes(t.registry, 'technician').sort(),
      'the session says what it may do here',
    );
    assert.ok(!session.body.data.scopes.includes('read:api-keys'));

    const back = await t.call('POST', '/v1/auth/switch-account', {
      headers: { cookie: invitee.cookie },
      body: { account_id: invitee.data.account.id },
    });
    assert.equal(back.status, 200, back.text);
    assert.equal(
      (await t.call('POST', '/v1/customers', { headers: { cookie: invitee.cookie }, body: { name: 'Mine' } })).status,
      201,
    );
    assertProblem(
      await t.call('POST', '/v1/auth/switch-account', {
        headers: { cookie: owner.cookie },
        body: { account_id: invitee.data.account.id },
      }),
      404,
      'not_found',
    );
  });

  it("a role change or a removal applies to the member's session at once", async () => {
    const owner = await signUp('Jo', 'Jo Plumbing');
    const staff = await signUp('Kim');
    const member = await t.call('POST', '/v1/users', {
      headers: { cookie: owner.cookie },
      body: { name: 'Kim', email: staff.email, role: 'office' },
    });
    await t.call('POST', `/v1/users/${member.body.data.id}/invite`, { headers: { cookie: owner.cookie } });
    const token = /(inv_\S+)/.exec(await lastMailTo(staff.email))![1];
    await t.call('POST', '/v1/auth/accept-invitation', { headers: { cookie: staff.cookie }, body: { token } });
    assert.equal(
      (await t.call('POST', '/v1/customers', { headers: { cookie: staff.cookie }, body: { name: 'Office made' } }))
        .status,
      201,
    );

    await t.call('PATCH', `/v1/users/${member.body.data.id}`, {
      headers: { cookie: owner.cookie },
      body: { role: 'read_only' },
    });
    assertProblem(
      await t.call('POST', '/v1/customers', { headers: { cookie: staff.cookie }, body: { name: 'Read-only cannot' } }),
      403,
      'insufficient_scope',
    );

    assert.equal(
      (await t.call('DELETE', `/v1/users/${member.body.data.id}`, { headers: { cookie: owner.cookie } })).status,
      200,
    );
    assertProblem(await t.call('GET', '/v1/customers', { headers: { cookie: staff.cookie } }), 403, 'forbidden');
  });

  it('keeps an owner: the last one cannot leave, and only owners hand out the owner role', async () => {
    const owner = await signUp('Lu', 'Lu Electric');
    const me = (await t.call('GET', '/v1/users/me', { headers: { cookie: owner.cookie } })).body.data;
    assertProblem(
      await t.call('PATCH', `/v1/users/${me.id}`, { headers: { cookie: owner.cookie }, body: { role: 'admin' } }),
      409,
      'conflict',
    );
    assertProblem(await t.call('DELETE', `/v1/users/${me.id}`, { headers: { cookie: owner.cookie } }), 409, 'conflict');

    const adminPerson = await signUp('Max');
    const admin = await t.call('POST', '/v1/users', {
      headers: { cookie: owner.cookie },
      body: { name: 'Max', email: adminPerson.email, role: 'admin' },
    });
    await t.call('POST', `/v1/users/${admin.body.data.id}/invite`, { headers: { cookie: owner.cookie } });
    const token = /(inv_\S+)/.exec(await lastMailTo(adminPerson.email))![1];
    await t.call('POST', '/v1/auth/accept-invitation', { headers: { cookie: adminPerson.cookie }, body: { token } });
    assertProblem(
      await t.call('PATCH', `/v1/users/${admin.body.data.id}`, {
        headers: { cookie: adminPerson.cookie },
        body: { role: 'owner' },
      }),
      403,
      'forbidden',
    );
    assertProblem(
      await t.call('DELETE', `/v1/users/${me.id}`, { headers: { cookie: adminPerson.cookie } }),
      403,
      'forbidden',
    );
    const created = await t.call('POST', '/v1/users', {
      headers: { cookie: adminPerson.cookie },
      body: { name: 'Tech', email: uniqueEmail('tech'), role: 'technician' },
    });
    assert.equal(created.status, 201, 'an admin manages members below owner');
  });

  it('owners are changed only by owners signed in: not by an admin, not by any API key', async () => {
    const owner = await signUp('Ned', 'Ned Roofing');
    const join = async (name: string, role: string) => {
      const person = await signUp(name);
      const user = await t.call('POST', '/v1/users', {
        headers: { cookie: owner.cookie },
        body: { name, email: person.email, role },
      });
      await t.call('POST', `/v1/users/${user.body.data.id}/invite`, { headers: { cookie: owner.cookie } });
      const token = /(inv_\S+)/.exec(await lastMailTo(person.email))![1];
      assert.equal(
        (await t.call('POST', '/v1/auth/accept-invitation', { headers: { cookie: person.cookie }, body: { token } }))
          .status,
        200,
      );
      return { cookie: person.cookie, id: user.body.data.id as string };
    };
    const second = await join('Olga', 'owner');
    const admin = await join('Pim', 'admin');
    assertProblem(
      await t.call('PATCH', `/v1/users/${second.id}`, {
        headers: { cookie: admin.cookie },
        body: { status: 'inactive' },
      }),
      403,
      'forbidden',
    );
    const adminsKey = await t.call('POST', '/v1/api-keys', {
      headers: { cookie: admin.cookie },
      body: { name: 'mine', scopes: ['read:users', 'write:users'] },
    });
    assert.equal(adminsKey.status, 201, adminsKey.text);
    assertProblem(
      await t.call('PATCH', `/v1/users/${admin.id}`, { key: adminsKey.body.data.secret, body: { role: 'owner' } }),
      403,
      'forbidden',
    );
    const pendingOwner = await t.call('POST', '/v1/users', {
      headers: { cookie: owner.cookie },
      body: { name: 'Later owner', email: uniqueEmail('later'), role: 'owner' },
    });
    assertProblem(
      await t.call('PATCH', `/v1/users/${pendingOwner.body.data.id}`, {
        headers: { cookie: admin.cookie },
        body: { email: uniqueEmail('admin2') },
      }),
      403,
      'forbidden',
    );
    assertProblem(
      await t.call('POST', `/v1/users/${pendingOwner.body.data.id}/invite`, { headers: { cookie: admin.cookie } }),
      403,
      'forbidden',
    );
    // Two owners: one may step down, and then the other is the last.
    assert.equal(
      (await t.call('PATCH', `/v1/users/${second.id}`, { headers: { cookie: second.cookie }, body: { role: 'admin' } }))
        .status,
      200,
    );
    const me = (await t.call('GET', '/v1/users/me', { headers: { cookie: owner.cookie } })).body.data;
    assertProblem(
      await t.call('PATCH', `/v1/users/${me.id}`, { headers: { cookie: owner.cookie }, body: { status: 'inactive' } }),
      409,
      'conflict',
    );
  });

  it('an invitation to a member made inactive is void', async () => {
    const owner = await signUp('Quin', 'Quin Pools');
    const person = await signUp('Rae');
    const user = await t.call('POST', '/v1/users', {
      headers: { cookie: owner.cookie },
      body: { name: 'Rae', email: person.email, role: 'office' },
    });
    await t.call('POST', `/v1/users/${user.body.data.id}/invite`, { headers: { cookie: owner.cookie } });
    const token = /(inv_\S+)/.exec(await lastMailTo(person.email))![1];
    await t.call('PATCH', `/v1/users/${user.body.data.id}`, {
      headers: { cookie: owner.cookie },
      body: { status: 'inactive' },
    });
    assertProblem(
      await t.call('POST', '/v1/auth/accept-invitation', { headers: { cookie: person.cookie }, body: { token } }),
      404,
      'not_found',
    );
  });

  it('a session ended on another node answers 401 on the auth routes, not an error', async () => {
    const { cookie, data } = await signUp('Sol');
    assert.equal((await t.call('GET', '/v1/auth/session', { headers: { cookie } })).status, 200);
    // this node still has it cached
    await systemQuery(t.db, { sql: 'DELETE FROM sessions WHERE id = $1', parameters: [data.session.id] });
    assertProblem(await t.call('GET', '/v1/auth/session', { headers: { cookie } }), 401, 'unauthenticated');
    assertProblem(
      await t.call('POST', '/v1/auth/switch-account', { headers: { cookie }, body: { account_id: data.account.id } }),
      401,
      'unauthenticated',
    );
  });
});
