// People in an account, signed in: a sign-up (the owner of a new account), and a member with a
// role who joined it by invitation. Each acts with its session cookie.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { systemQuery } from '../../src/db/system-query.ts';
import type { Role } from '../../src/auth/roles.ts';
import type { TestContext } from './test-context.ts';

/** A person who signed up, owning a new account. */
export async function signUp(t: TestContext, name: string) {
  const email = `${name}.${randomBytes(4).toString('hex')}@example.test`;
  const res = await t.call('POST', '/v1/auth/sign-up', {
    body: { name, email, password: 'correct horse battery', account_name: `${name} Co` },
  });
  assert.equal(res.status, 201, res.text);
  return {
    email,
    cookie: res.headers
      .getSetCookie()
      .find((c) => c.startsWith('fieldline.session_token='))!
      .split(';')[0],
    accountId: res.body.data.account.id as string,
  };
}

/** A person who joined the account of `ownerCookie` with `role`, signed in and acting in it. */
export async function memberWithRole(t: TestContext, ownerCookie: string, role: Role, name: string = role) {
  const person = await signUp(t, name);
  const user = await t.call('POST', '/v1/users', {
    headers: { cookie: ownerCookie },
    body: { name, email: person.email, role },
  });
  assert.equal(user.status, 201, user.text);
  await t.call('POST', `/v1/users/${user.body.data.id}/invite`, { headers: { cookie: ownerCookie } });
  const [mail] = await systemQuery(t.db, {
    sql: 'SELECT text_body FROM mail_outbox WHERE $1 = ANY (to_addresses) AND subject LIKE $2',
    parameters: [person.email, 'You are invited%'],
  });
  const token = /(inv_\S+)/.exec(mail.text_body)![1];
  const accepted = await t.call('POST', '/v1/auth/accept-invitation', {
    headers: { cookie: person.cookie },
    body: { token },
  });
  assert.equal(accepted.status, 200, accepted.text);
  return { cookie: person.cookie, userId: user.body.data.id as string };
}
