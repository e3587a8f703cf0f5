// Connecting an account's Gmail in tests: the authorize redirect, the fake's consent, the callback.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FakeGoogle } from './fake-google.ts';
import type { TestContext } from './test-context.ts';

export const newMailbox = () => `office-${randomBytes(4).toString('hex')}@example.com`;

/** Connects Gmail for the key's account as `email`; answers the authorize URL and the callback's answer. */
export async function connectGmail(t: TestContext, key: string, google: FakeGoogle, email = newMailbox()) {
  const start = await t.call('GET', '/v1/integrations/gmail/authorize', { key });
  assert.equal(start.status, 302, start.text);
  const authorizeUrl = start.headers.get('location')!;
  const back = google.consent(authorizeUrl, email);
  const callback = await t.call('GET', back);
  assert.equal(callback.status, 200, callback.text);
  return { email, authorizeUrl, callbackPath: back, callback };
}
