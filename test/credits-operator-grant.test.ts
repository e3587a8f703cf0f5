// Operators grant and expire an account's credits (POST /v1/platform/accounts/{id}/credits): the
// ledger, the operators' audit log and the account's audit log record it together; accounts' own
// credentials do not find the route (404).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { signedInOperator, type TestOperator } from './support/platform-operators.ts';
import { systemQuery } from '../src/db/system-query.ts';

let t: TestContext;
let account: TestAccount;
let operator: TestOperator;
before(async () => {
  t = await createTestContext();
  account = await t.newAccount('Granted Co');
  operator = await signedInOperator(t);
});
after(async () => {
  await t.close();
});

const grant = (body: unknown, key = operator.token, id = account.id) =>
  t.call('POST', `/v1/platform/accounts/${id}/credits`, { key, body });

describe('operator credit grants', () => {
  test('a grant is recorded in the ledger and both audit logs; expiring more than is held is 409', async () => {
    const granted = await grant({ amount: 250, note: 'Launch goodwill' });
    assert.equal(granted.status, 201, granted.text);
    assert.deepEqual(
      [granted.body.data.reason, granted.body.data.delta, granted.body.data.balance_after],
      ['grant', 250, 250],
    );
    assert.match(granted.body.data.actor, /^operator:/);
    const expired = await grant({ amount: 50, reason: 'expire' });
    assert.deepEqual([expired.status, expired.body.data.delta, expired.body.data.balance_after], [201, -50, 200]);
    assertProblem(await grant({ amount: 201, reason: 'expire' }), 409, 'conflict');

    const credits = await t.call('GET', '/v1/billing/credits', { key: account.key });
    assert.deepEqual([credits.body.data.metered, credits.body.data.balance], [true, 200]);
    const operatorLog = await systemQuery(t.db, {
      sql: `SELECT action FROM platform_audit_entries
             WHERE account_id = $1 AND action LIKE 'credits.%' ORDER BY created_at`,
      parameters: [account.id],
    });
    assert.deepEqual(
      operatorLog.map((r) => r.action),
      ['credits.granted', 'credits.expired'],
    );
    const accountLog = await t.call('GET', '/v1/audit-log?action[starts_with]=credits.', { key: account.key });
    assert.equal(accountLog.status, 200, accountLog.text);
    assert.deepEqual(accountLog.body.data.map((e: any) => [e.action, e.actor_type]).sort(), [
      ['credits.expired', 'operator'],
      ['credits.granted', 'operator'],
    ]);
  });

  test("an account's key gets 404; bad amounts are 422 and change nothing", async () => {
    assertProblem(await grant({ amount: 10 }, account.key), 404, 'not_found');
    for (const body of [{ amount: 0 }, { amount: -5 }, { amount: 1.5 }, { amount: 5, reason: 'top_up' }, {}])
      assertProblem(await grant(body), 422, 'validation_failed');
    assertProblem(await grant({ amount: 5 }, operator.token, 'acct_01M90000000000000000000000'), 404, 'not_found');
    const credits = await t.call('GET', '/v1/billing/credits', { key: account.key });
    assert.equal(credits.body.data.balance, 200);
  });
});
