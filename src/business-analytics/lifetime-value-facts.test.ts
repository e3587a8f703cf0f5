// Each customer's payment totals (first payment, total less refunds, per currency) always equal
// what the payments say, whatever sequence of writes reaches them: payments taken, refunded,
// corrected, moved between customers or currencies, re-dated, unlinked and erased, as plain SQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTestContext,
  accountClient,
  type TestContext,
  type TestAccount,
} from '../../test/support/test-context.ts';
import { cloneRow } from '../../test/support/clone-row.ts';
import { assertWriteSequencesKeepFacts, hourOf, sqlOn, type Write } from '../../test/support/write-sequences.ts';
import { LIFETIME_VALUE_TABLE } from './lifetime-value-facts.ts';

let ctx: TestContext;
let account: TestAccount;
const { created, call } = accountClient(
  () => ctx,
  () => account,
);
const customers: string[] = [];
const CURRENCIES = ['USD', 'EUR'];
let template = '';
let sequence = 0;

const sql = sqlOn(() => ctx.db);
const at = hourOf;

/** Rows of the totals that differ from the payments, either way. */
const drift = () =>
  sql(
    `WITH want AS (SELECT customer_id, currency, min(created_at) AS first_paid_at,
                          sum(amount - amount_refunded) AS total
                     FROM payments WHERE account_id = $1 AND customer_id IS NOT NULL GROUP BY customer_id, currency),
          have AS (SELECT customer_id, currency, first_paid_at, total FROM ${LIFETIME_VALUE_TABLE}
                    WHERE account_id = $1)
     (SELECT 'missing' AS problem, * FROM want EXCEPT SELECT 'missing', * FROM have)
     UNION ALL (SELECT 'wrong', * FROM have EXCEPT SELECT 'wrong', * FROM want)`,
    account.id,
  );

const payment = async (index: number) => {
  const rows = await sql(`SELECT id FROM payments WHERE account_id = $1 ORDER BY id`, account.id);
  return String(rows[index % rows.length].id);
};

const WRITES: Record<string, Write> = {
  'take a payment': (i, hour, value) =>
    cloneRow(ctx.db, 'payments', template, {
      id: `pay_fact_${++sequence}`,
      customer_id: customers[i % customers.length],
      currency: CURRENCIES[value % 2],
      amount: value * 100,
      amount_refunded: 0,
      created_at: at(hour),
    }),
  'refund it': async (i) => sql(`UPDATE payments SET amount_refunded = amount WHERE id = $1`, await payment(i)),
  'correct the amount': async (i, _hour, value) =>
    sql(`UPDATE payments SET amount = $2, amount_refunded = 0 WHERE id = $1`, await payment(i), value * 100),
  'move it to another customer': async (i, _hour, value) =>
    sql(`UPDATE payments SET customer_id = $2 WHERE id = $1`, await payment(i), customers[value % customers.length]),
  'change its currency': async (i, _hour, value) =>
    sql(`UPDATE payments SET currency = $2 WHERE id = $1`, await payment(i), CURRENCIES[value % 2]),
  're-date it': async (i, hour) => sql(`UPDATE payments SET created_at = $2 WHERE id = $1`, await payment(i), at(hour)),
  'unlink its customer': async (i) => sql(`UPDATE payments SET customer_id = NULL WHERE id = $1`, await payment(i)),
  'erase it': async (i) => {
    const id = await payment(i);
    if (id !== template) await sql(`DELETE FROM payments WHERE id = $1`, id);
  },
};

describe('lifetime value facts', () => {
  before(async () => {
    ctx = await createTestContext();
    account = await ctx.newAccount('Lifetime');
    for (const name of ['A', 'B', 'C'])
      customers.push((await created('customers', { name, email: `${name}@lifetime.example` })).id);
    const invoice = await created('invoices', {
      customer_id: customers[0],
      line_items: [{ description: 'Visit', quantity: 1, unit_amount: 50_000 }],
    });
    assert.equal((await call('POST', `/v1/invoices/${invoice.id}/send`, {})).status, 200);
    const paid = await call('POST', `/v1/invoices/${invoice.id}/payments`, { amount: 5000, method: 'card' });
    assert.equal(paid.status, 201, paid.text);
    template = paid.body.data.id;
  });
  after(() => ctx?.close());

  test('a payment through the API is its customer total; a refund takes it off', async () => {
    const totals = () => sql(`SELECT total FROM ${LIFETIME_VALUE_TABLE} WHERE customer_id = $1`, customers[0]);
    assert.deepEqual(
      (await totals()).map((row) => Number(row.total)),
      [5000],
    );
    assert.equal((await call('POST', `/v1/payments/${template}/refund`, {})).status, 200);
    assert.deepEqual(
      (await totals()).map((row) => Number(row.total)),
      [0],
    );
    assert.deepEqual(await drift(), []);
  });

  test('any sequence of writes leaves every total equal to the payments', () =>
    assertWriteSequencesKeepFacts({
      writes: WRITES,
      favoured: ['take a payment', 'take a payment'],
      reset: () => sql(`DELETE FROM payments WHERE id LIKE 'pay_fact_%'`),
      drift,
      maxValue: 99,
      maxLength: 15,
      numRuns: 100,
      seed: 35_031,
    }));
});
