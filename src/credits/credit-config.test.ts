// The credit settings read from the environment, and the SMS segments a text is charged for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config.ts';
import { smsSegments } from './sms-segments.ts';

test('credits cost what the environment says; Stripe top-up settings come in pairs', () => {
  assert.deepEqual(loadConfig({}).credits, {
    perSmsSegment: 1,
    aiTokensPerCredit: 1_000,
    unitPrice: 1,
    currency: 'usd',
    stripe: undefined,
  });
  const set = loadConfig({
    FIELDLINE_CREDITS_PER_SMS_SEGMENT: '2',
    FIELDLINE_AI_TOKENS_PER_CREDIT: '500',
    FIELDLINE_CREDIT_PRICE: '3',
    FIELDLINE_CREDIT_CURRENCY: 'eur',
    FIELDLINE_CREDITS_STRIPE_SECRET_KEY: 'sk_test_0123456789abcdef',
    FIELDLINE_CREDITS_STRIPE_WEBHOOK_SECRET: 'whsec_0123456789',
  }).credits;
  assert.deepEqual(set, {
    perSmsSegment: 2,
    aiTokensPerCredit: 500,
    unitPrice: 3,
    currency: 'eur',
    stripe: { secretKey: 'sk_test_0123456789abcdef', webhookSecret: 'whsec_0123456789' },
  });
  assert.throws(() => loadConfig({ FIELDLINE_AI_TOKENS_PER_CREDIT: '0' }), /FIELDLINE_AI_TOKENS_PER_CREDIT/);
  assert.throws(() => loadConfig({ FIELDLINE_CREDIT_CURRENCY: 'USD' }), /FIELDLINE_CREDIT_CURRENCY/);
  assert.throws(() => loadConfig({ FIELDLINE_CREDITS_STRIPE_SECRET_KEY: 'sk_test_0123456789abcdef' }), /go together/);
});

test('a text is charged per carrier segment: GSM-7 160/153, extension characters double, UCS-2 70/67', () => {
  assert.equal(smsSegments('Hello'), 1);
  assert.equal(smsSegments('x'.repeat(160)), 1);
  assert.equal(smsSegments('x'.repeat(161)), 2);
  assert.equal(smsSegments('x'.repeat(306)), 2);
  assert.equal(smsSegments('x'.repeat(307)), 3);
  assert.equal(smsSegments('€'.repeat(80)), 1, 'the euro sign takes two septets');
  assert.equal(smsSegments('€'.repeat(81)), 2);
  assert.equal(smsSegments('Olá ✓'), 1);
  assert.equal(smsSegments('✓'.repeat(70)), 1);
  assert.equal(smsSegments('✓'.repeat(71)), 2);
  assert.equal(smsSegments('✓'.repeat(134)), 2);
  assert.equal(smsSegments('✓'.repeat(135)), 3);
});
