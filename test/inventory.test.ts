// Stock: the quantity on hand changes only through movements, each in the ledger; it never
// goes below zero (unless the item allows it), also under concurrent adjustments; receiving a
// purchase order adds its lines to stock once, all or nothing.
import { describe, test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { accountClient, createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { assertNames, assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
before(async () => {
  ctx = await createTestContext();
});
after(async () => {
  await ctx.close();
});
beforeEach(async () => {
  account = await ctx.newAccount('Stock Co');
});

const { call, created: create } = accountClient(
  () => ctx,
  () => account,
);

const adjust = (id: string, quantity: number, reason = 'count') =>
  call('POST', `/v1/inventory-items/${id}/adjust`, { quantity, reason });
const movementsOf = async (id: string) =>
  (await call('GET', `/v1/inventory-items/${id}/movements?sort=created_at&limit=100`)).body.data;

describe('inventory items', () => {
  test('adjust moves stock and records each movement; the ledger explains the quantity', async () => {
    const item = await create('inventory-items', { sku: 'FLT-16', name: 'Filter', reorder_point: 5 });
    assert.equal(item.quantity_on_hand, 0);
    assert.equal(item.needs_reorder, true);
    const added = await adjust(item.id, 12, 'delivery counted');
    assert.equal(added.status, 200, added.text);
    assert.deepEqual([added.body.data.quantity_on_hand, added.body.data.needs_reorder], [12, false]);
    assert.equal((await adjust(item.id, -4, 'used on job')).body.data.quantity_on_hand, 8);
    const ledger = await movementsOf(item.id);
    assert.deepEqual(
      ledger.map((m: any) => [m.quantity, m.quantity_after, m.source, m.reason]),
      [
        [12, 12, 'adjustment', 'delivery counted'],
        [-4, 8, 'adjustment', 'used on job'],
      ],
    );
    assert.equal(
      ledger.reduce((sum: number, m: any) => sum + m.quantity, 0),
      8,
    );
    assert.equal((await call('GET', '/v1/inventory-items?needs_reorder=false')).body.data.length, 1);
  });

  test('quantity_on_hand cannot be written directly', async () => {
    const item = await create('inventory-items', { sku: 'SKU-RO', name: 'Read-only stock' });
    assertNames(
      assertProblem(
        await call('PATCH', `/v1/inventory-items/${item.id}`, { quantity_on_hand: 99 }),
        422,
        'validation_failed',
      ),
      'quantity_on_hand',
    );
    assertNames(
      assertProblem(
        await call('POST', '/v1/inventory-items', { sku: 'SKU-X', name: 'X', quantity_on_hand: 5 }),
        422,
        'validation_failed',
      ),
      'quantity_on_hand',
    );
  });

  test(
    'taking more than is on hand is 409 and changes nothing; ' + 'an item that allows negative stock goes below zero',
    async () => {
      const item = await create('inventory-items', { sku: 'CAP-1', name: 'Capacitor' });
      await adjust(item.id, 3);
      const refused = assertProblem(await adjust(item.id, -4), 409, 'conflict');
      assert.deepEqual([refused.quantity_on_hand, refused.requested], [3, 4]);
      assert.equal((await call('GET', `/v1/inventory-items/${item.id}`)).body.data.quantity_on_hand, 3);
      assert.equal((await movementsOf(item.id)).length, 1);

      const backordered = await create('inventory-items', { sku: 'CAP-2', name: 'Capacitor XL', allow_negative: true });
      assert.equal((await adjust(backordered.id, -2)).body.data.quantity_on_hand, -2);
    },
  );

  test('a zero or fractional quantity and a missing reason are 422', async () => {
    const item = await create('inventory-items', { sku: 'Z-0', name: 'Zero' });
    assertNames(assertProblem(await adjust(item.id, 0), 422, 'validation_failed'), 'quantity');
    assertNames(assertProblem(await adjust(item.id, 1.5), 422, 'validation_failed'), 'quantity');
    assertNames(
      assertProblem(
        await call('POST', `/v1/inventory-items/${item.id}/adjust`, { quantity: 1 }),
        422,
        'validation_failed',
      ),
      'reason',
    );
    assert.equal((await movementsOf(item.id)).length, 0);
  });

  test('concurrent removals never take stock below zero', async () => {
    const item = await create('inventory-items', { sku: 'RACE-1', name: 'Contended part' });
    await adjust(item.id, 10);
    const results = await Promise.all(Array.from({ length: 25 }, () => adjust(item.id, -1, 'race')));
    assert.equal(results.filter((r) => r.status === 200).length, 10);
    assert.ok(
      results.every((r) => r.status === 200 || r.status === 409),
      results.map((r) => r.status).join(','),
    );
    assert.equal((await call('GET', `/v1/inventory-items/${item.id}`)).body.data.quantity_on_hand, 0);
    const ledger = await movementsOf(item.id);
    assert.equal(ledger.length, 11);
    assert.deepEqual(
      ledger.map((m: any) => m.quantity_after).sort((a: number, b: number) => b - a),
      [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    );
  });

  test('a SKU is unique within an account, not across accounts', async () => {
    await create('inventory-items', { sku: 'DUP-1', name: 'First' });
    assertProblem(await call('POST', '/v1/inventory-items', { sku: 'DUP-1', name: 'Second' }), 409, 'conflict');
    const other = await ctx.newAccount('Other stock');
    await create('inventory-items', { sku: 'DUP-1', name: 'Theirs' }, other.key);
  });
});

describe('purchase orders', () => {
  test('submit then receive adds every line to stock once, with movements naming the order', async () => {
    const supplier = await create('suppliers', { name: 'Acme HVAC Supply', email: 'orders@acme.test' });
    const filter = await create('inventory-items', { sku: 'PO-FLT', name: 'Filter' });
    const coil = await create('inventory-items', { sku: 'PO-COIL', name: 'Coil' });
    await adjust(filter.id, 2);
    const order = await create('purchase-orders', {
      supplier_id: supplier.id,
      lines: [
        { item_id: filter.id, quantity: 10, unit_cost: 450 },
        { item_id: coil.id, quantity: 1, unit_cost: 12_000 },
      ],
    });
    assert.equal(order.total, 16_500);
    assertProblem(await call('POST', `/v1/purchase-orders/${order.id}/receive`), 409, 'invalid_state_transition');
    assert.equal((await call('POST', `/v1/purchase-orders/${order.id}/submit`)).body.data.status, 'submitted');
    assertProblem(await call('PATCH', `/v1/purchase-orders/${order.id}`, { notes: 'late change' }), 409, 'conflict');

    const received = await call('POST', `/v1/purchase-orders/${order.id}/receive`);
    assert.equal(received.status, 200, received.text);
    assert.equal(received.body.data.status, 'received');
    assert.ok(received.body.data.received_at);
    assert.equal((await call('GET', `/v1/inventory-items/${filter.id}`)).body.data.quantity_on_hand, 12);
    assert.equal((await call('GET', `/v1/inventory-items/${coil.id}`)).body.data.quantity_on_hand, 1);
    const fromOrder = (await call('GET', `/v1/inventory-movements?reference=${order.id}`)).body.data;
    assert.deepEqual(
      fromOrder.map((m: any) => m.source),
      ['purchase_order', 'purchase_order'],
    );

    assertProblem(await call('POST', `/v1/purchase-orders/${order.id}/receive`), 409, 'invalid_state_transition');
    assert.equal(
      (await call('GET', `/v1/inventory-items/${filter.id}`)).body.data.quantity_on_hand,
      12,
      'received once',
    );
  });

  test("lines must name this account's live items; an empty order cannot be submitted", async () => {
    const supplier = await create('suppliers', { name: 'Parts Co', email: 'orders@parts.test' });
    const other = await ctx.newAccount('Other buyer');
    const theirs = await create('inventory-items', { sku: 'THEIRS', name: 'Not yours' }, other.key);
    const refused = await call('POST', '/v1/purchase-orders', {
      supplier_id: supplier.id,
      lines: [{ item_id: theirs.id, quantity: 1, unit_cost: 1 }],
    });
    assertNames(assertProblem(refused, 422, 'validation_failed'), 'lines.0.item_id');
    const empty = await create('purchase-orders', { supplier_id: supplier.id });
    assertNames(
      assertProblem(await call('POST', `/v1/purchase-orders/${empty.id}/submit`), 422, 'validation_failed'),
      'lines',
    );
  });

  test('a receipt whose item was deleted meanwhile is 409 and moves no stock at all', async () => {
    const supplier = await create('suppliers', { name: 'Gone Co', email: 'orders@gone.test' });
    const kept = await create('inventory-items', { sku: 'KEPT', name: 'Kept' });
    const gone = await create('inventory-items', { sku: 'GONE', name: 'Gone' });
    const order = await create('purchase-orders', {
      supplier_id: supplier.id,
      lines: [
        { item_id: kept.id, quantity: 3, unit_cost: 1 },
        { item_id: gone.id, quantity: 3, unit_cost: 1 },
      ],
    });
    await call('POST', `/v1/purchase-orders/${order.id}/submit`);
    assert.equal((await call('DELETE', `/v1/inventory-items/${gone.id}`)).status, 200);
    assertProblem(await call('POST', `/v1/purchase-orders/${order.id}/receive`), 409, 'conflict');
    assert.equal((await call('GET', `/v1/inventory-items/${kept.id}`)).body.data.quantity_on_hand, 0);
    assert.equal((await call('GET', `/v1/purchase-orders/${order.id}`)).body.data.status, 'submitted');
  });
});
