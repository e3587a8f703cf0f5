import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AmountError, fromQboAmount, toQboAmount } from './qbo-money.ts';

test('minor units become the exact decimal, and back', () => {
  for (const [minor, currency, text] of [
    [1999, 'USD', '19.99'],
    [1, 'USD', '0.01'],
    [10, 'USD', '0.1'],
    [0, 'USD', '0'],
    [-250, 'USD', '-2.5'],
    [1500, 'JPY', '1500'],
    [1234, 'KWD', '1.234'],
    [999_999_999_999_99, 'USD', '999999999999.99'],
  ] as const) {
    const amount = toQboAmount(minor, currency);
    assert.equal(JSON.stringify(amount), text, `${minor} ${currency}`);
    assert.equal(fromQboAmount(JSON.parse(JSON.stringify(amount)), currency), minor);
  }
});

test('every cent from 0 to 100,000 survives the round trip through JSON', () => {
  for (let minor = 0; minor <= 100_000; minor++)
    assert.equal(fromQboAmount(JSON.parse(JSON.stringify(toQboAmount(minor, 'USD'))), 'USD'), minor);
});

test('amounts that are not one exact amount are refused, never rounded', () => {
  assert.throws(() => fromQboAmount(19.999, 'USD'), AmountError);
  assert.throws(() => fromQboAmount(1.5, 'JPY'), AmountError);
  assert.throws(() => fromQboAmount('19.99', 'USD'), AmountError);
  assert.throws(() => fromQboAmount(1e21, 'USD'), AmountError);
  assert.throws(() => fromQboAmount(Number.NaN, 'USD'), AmountError);
  assert.throws(() => toQboAmount(1.5, 'USD'), AmountError);
  assert.throws(() => toQboAmount(Number.MAX_SAFE_INTEGER, 'USD'), AmountError);
  assert.equal(fromQboAmount(19.9, 'USD'), 1990);
});
