import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invoiceTotals } from './invoice-totals.ts';

test('totals are integer minor units, tax rounded once on the subtotal', () => {
  const items = [
    { description: 'Labour', quantity: 3, unit_amount: 3333 },
    { description: 'Part', quantity: 1, unit_amount: 1 },
  ];
  assert.deepEqual(invoiceTotals(items, 825, 0), { subtotal: 10000, tax: 825, total: 10825, amount_due: 10825 });
  assert.deepEqual(invoiceTotals(items, 333, 0).tax, 333);
  assert.deepEqual(invoiceTotals([{ description: 'x', quantity: 1, unit_amount: 5 }], 1000, 0).tax, 1); // 0.5 rounds up
});

test('amount due never goes below zero', () => {
  assert.equal(invoiceTotals([{ description: 'x', quantity: 1, unit_amount: 100 }], 0, 150).amount_due, 0);
  assert.equal(invoiceTotals([], 0, 0).total, 0);
});
