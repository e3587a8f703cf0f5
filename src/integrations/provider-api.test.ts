import { test } from 'node:test';
import assert from 'node:assert/strict';
import { providerErrorCode, retryAfterMs } from './provider-api.ts';

test('retryAfterMs: seconds or an HTTP date, never negative, capped at an hour; a default when unreadable', () => {
  const now = Date.parse('2026-12-07T03:00:00Z');
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs('Mon, 07 Dec 2026 03:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Mon, 07 Dec 2026 02:00:00 GMT', now), 0);
  assert.equal(retryAfterMs('999999', now), 3_600_000);
  assert.equal(retryAfterMs(null, now), 30_000);
  assert.equal(retryAfterMs('soon', now), 30_000);
});

test("providerErrorCode: OAuth's `error`, Google's `error.status`, nothing from what is not JSON", () => {
  assert.equal(providerErrorCode('{"error":"invalid_grant"}'), 'invalid_grant');
  assert.equal(providerErrorCode('{"error":{"code":404,"status":"NOT_FOUND"}}'), 'NOT_FOUND');
  assert.equal(providerErrorCode('<html>'), undefined);
});
