// Platform operators: made by the CLI, signed in through the API with their own `flop_` sessions,
// and invisible to everyone else: every operator route (walked from the operation table) is a
// 404 to no credential, an API key, a member's session, an OAuth token and a customer's session.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { operatorsCli, signedInOperator } from './support/platform-operators.ts';
import { tenantCredentials, type TenantCredentials } from './support/tenant-credentials.ts';
import { systemQuery } from '../src/db/system-query.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount('Tenant Co');
});
after(async () => {
  await ctx.close();
});

/** Emails unique to this run: a PostgreSQL test database outlives it. */
const run = randomBytes(3).toString('hex');
const alice = `alice.ops.${run}@fieldline.test`;
const bob = `bob.ops.${run}@fieldline.test`;
const nobody = `nobody.${run}@fieldline.test`;

const signIn = (email: string, password: string) =>
  ctx.call('POST', '/v1/platform/sign-in', { body: { email, password } });

describe('operators made by the CLI', () => {
  test('create prints a one-time password that signs in; list shows the operator; no password is stored', async () => {
    const created = await operatorsCli(ctx, { sub: 'create', email: `Alice.Ops.${run}@Fieldline.test`, name: 'Alice' });
    assert.equal(created.code, 0, created.stderr);
    const password = /Password \(shown once\): (\S+)/.exec(created.stdout)![1];
    assert.ok(password.length >= 12);
    const signedIn = await signIn(alice, password);
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.match(signedIn.body.data.token, /^flop_[0-9A-Za-z]{43}$/);
    assert.equal(signedIn.body.data.operator.name, 'Alice');
    const listed = await operatorsCli(ctx, { sub: 'list' });
    assert.match(listed.stdout, new RegExp(`active\\s+${alice.replace(/\./g, '\\.')}\\s+Alice`));
    const [row] = await systemQuery(ctx.db, {
      sql: `SELECT password_hash FROM platform_operators WHERE email = $1`,
      parameters: [alice],
    });
    assert.ok(!row.password_hash.includes(password));
    const [session] = await systemQuery(ctx.db, {
      sql: 'SELECT encode(token_hash, $2) AS hash FROM platform_operator_sessions WHERE id = $1',
      parameters: [signedIn.body.data.id, 'hex'],
    });
    assert.notEqual(session.hash, Buffer.from(signedIn.body.data.token).toString('hex'));
    const again = await operatorsCli(ctx, { sub: 'create', email: alice });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists already/);
  });

  test('FIELDLINE_OPERATOR_PASSWORD sets the password instead of a generated one', async () => {
    process.env.FIELDLINE_OPERATOR_PASSWORD = 'a long operator passphrase';
    try {
      const created = await operatorsCli(ctx, { sub: 'create', email: bob });
      assert.equal(created.code, 0, created.stderr);
      assert.doesNotMatch(created.stdout, /shown once/);
    } finally {
      delete process.env.FIELDLINE_OPERATOR_PASSWORD;
    }
    assert.equal((await signIn(bob, 'a long operator passphrase')).status, 200);
  });

  test('a wrong password and an unknown email get the same 401, and the failures are audited', async () => {
    const operator = await signedInOperator(ctx, 'carol');
    const wrong = assertProblem(await signIn(operator.email, 'not the password at all'), 401, 'unauthenticated');
    const unknown = assertProblem(await signIn(nobody, 'not the password at all'), 401, 'unauthenticated');
    const { request_id: _a, ...wrongRest } = wrong;
    const { request_id: _b, ...unknownRest } = unknown;
    assert.deepEqual(wrongRest, unknownRest);
    const [failed] = await systemQuery(ctx.db, {
      sql: `SELECT count(*)::int AS n FROM platform_audit_entries WHERE action = 'operator.sign_in_failed'
              AND operator_email IN ($1, $2)`,
      parameters: [operator.email, nobody],
    });
    assert.equal(Number(failed.n), 2);
  });

  test('sign-out ends the session; a disabled operator can neither use a session nor sign in', async () => {
    const operator = await signedInOperator(ctx, 'dave');
    const audit = () => ctx.call('GET', '/v1/platform/audit-log', { key: operator.token });
    assert.equal((await audit()).status, 200);
    assert.equal((await ctx.call('POST', '/v1/platform/sign-out', { key: operator.token })).status, 200);
    assertProblem(await audit(), 404, 'not_found');
    const again = await signIn(operator.email, operator.password);
    assert.equal(again.status, 200);
    const disabled = await operatorsCli(ctx, { sub: 'disable', email: operator.email });
    assert.equal(disabled.code, 0, disabled.stderr);
    assertProblem(await ctx.call('GET', '/v1/platform/audit-log', { key: again.body.data.token }), 404, 'not_found');
    assertProblem(await signIn(operator.email, operator.password), 401, 'unauthenticated');
  });
});

describe('operator routes do not exist for anyone else', () => {
  let tenant: TenantCredentials;
  before(async () => {
    tenant = await tenantCredentials(ctx);
  });

  const operatorOperations = () => ctx.api.operations.filter((op) => op.authentication === 'operator');
  const pathOf = (path: string) => path.replace(/\{\w+\}/g, account.id);

  test('there are operator operations, and their scopes are in no catalogue a key or role draws from', () => {
    assert.ok(operatorOperations().length >= 5, 'the platform routes are on the operation table');
    assert.ok(ctx.registry.scopes().every((scope) => !scope.startsWith('platform:')));
  });

  test('no credential, a key, a member session, an OAuth token, a customer session, a forged flop_: 404', async () => {
    const callers: [string, Record<string, string>][] = [
      ['no credential', {}],
      ['owner API key', { authorization: `Bearer ${account.key}` }],
      ['member session cookie', { cookie: tenant.memberCookie }],
      ['member session bearer', { authorization: `Bearer ${tenant.memberToken}` }],
      ['OAuth access token', { authorization: `Bearer ${tenant.oauthToken}` }],
      ['customer session', { authorization: `Bearer ${tenant.customerToken}` }],
      ['forged operator token', { authorization: `Bearer flop_${'A'.repeat(43)}` }],
    ];
    for (const operation of operatorOperations()) {
      const path = pathOf(operation.path);
      const method = operation.method.toUpperCase();
      for (const [who, headers] of callers) {
        const res = await ctx.call(method, path, { headers, body: method === 'GET' ? undefined : {} });
        const body = assertProblem(res, 404, 'not_found');
        assert.equal(body.detail, `No route for ${method} ${path}`, `${who} on ${method} ${path}`);
      }
    }
  });

  test('an operator reaches each of them (no route 404s)', async () => {
    const operator = await signedInOperator(ctx, 'walker');
    for (const operation of operatorOperations()) {
      if (operation.operationId === 'signOutOperator') continue;
      const path = pathOf(operation.path);
      const method = operation.method.toUpperCase();
      const res = await ctx.call(method, path, { key: operator.token, body: method === 'GET' ? undefined : {} });
      assert.ok(!(res.status === 404 && /^No route/.test(res.body.detail)), `${method} ${path}: ${res.text}`);
    }
  });

  test('an API key cannot be given a platform scope', async () => {
    const res = await ctx.call('POST', '/v1/api-keys', {
      key: account.key,
      body: { name: 'sneaky', scopes: ['platform:*'], mode: 'test' },
    });
    assert.ok(res.status === 422 || res.status === 400, res.text);
  });
});
