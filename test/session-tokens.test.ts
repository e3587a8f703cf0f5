// A person's session tokens are kept as their SHA-256 only: the sessions table holds nothing to
// sign in with, the token itself keeps working (cookie and bearer), through Better Auth's refresh
// too, and the migration hashes tokens exactly as the server does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { sessionTokenHash } from '../src/auth/session-token-hashing.ts';
import { SESSION_LIFETIME_SECONDS } from '../src/auth/people-auth.ts';

let t: TestContext;
before(async () => {
  t = await createTestContext();
});
after(async () => t.close());

async function signUp(name: string) {
  const res = await t.call('POST', '/v1/auth/sign-up', {
    body: { name, email: `${name}.${Date.now()}@example.test`, password: 'correct horse battery', account_name: name },
  });
  assert.equal(res.status, 201, res.text);
  const token = res.body.data.token as string;
  // The bearer token is the session's token and its signature, as in the cookie.
  return { token, raw: token.slice(0, token.indexOf('.')), sessionId: res.body.data.session.id as string };
}

const storedToken = async (sessionId: string) =>
  (
    await systemQuery<{ token: string }>(t.db, {
      sql: 'SELECT token FROM sessions WHERE id = $1',
      parameters: [sessionId],
    })
  )[0]?.token;

test('the table keeps the hash: the token signs in, what the table holds does not', async () => {
  const { token, raw, sessionId } = await signUp('hashed');
  const stored = await storedToken(sessionId);
  assert.equal(stored, sessionTokenHash(raw));
  assert.ok(!stored!.includes(raw), 'no trace of the token');
  assert.equal((await t.call('GET', '/v1/auth/session', { key: token })).status, 200);
  assert.equal((await t.call('GET', '/v1/auth/session', { key: stored! })).status, 401, 'a stolen row is useless');
  const signedOut = await t.call('POST', '/v1/auth/sign-out', { key: token });
  assert.ok(signedOut.status < 300, signedOut.text);
  assert.equal(await storedToken(sessionId), undefined, 'signing out finds the row by the token and deletes it');
});

test('a session Better Auth refreshes (older than a day) keeps working with the same token', async () => {
  const { token, raw, sessionId } = await signUp('refreshed');
  const nearEnd = new Date(Date.now() + (SESSION_LIFETIME_SECONDS - 3 * 24 * 3600) * 1000).toISOString();
  await systemQuery(t.db, {
    sql: 'UPDATE sessions SET expires_at = $2 WHERE id = $1',
    parameters: [sessionId, nearEnd],
  });
  assert.equal((await t.call('GET', '/v1/auth/session', { key: token })).status, 200);
  const [row] = await systemQuery<{ expires_at: string }>(t.db, {
    sql: 'SELECT expires_at FROM sessions WHERE id = $1',
    parameters: [sessionId],
  });
  assert.ok(new Date(row.expires_at).getTime() > new Date(nearEnd).getTime(), 'the session was extended');
  assert.equal(await storedToken(sessionId), sessionTokenHash(raw), 'still only the hash');
  assert.equal((await t.call('GET', '/v1/users/me', { key: token })).status, 200);
});

test("the migration's SQL hash is the server's", async () => {
  for (const token of ['abc', 'sh1WNKAPTaQUUzXsPlvBo3kAnN0iU1M8', 'é✓']) {
    const [row] = await systemQuery<{ hash: string }>(t.db, {
      sql: `SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS hash`,
      parameters: [token],
    });
    assert.equal(row.hash, sessionTokenHash(token));
  }
});
