import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountPrincipal } from './principal.ts';
import { credentialKindOf } from './credential-kind.ts';

test('each kind of principal is recorded as its credential; an OAuth grant by a person is the app', () => {
  const base = accountPrincipal('acc_1');
  assert.equal(credentialKindOf({ ...base, keyId: 'key_1' }), 'api_key');
  assert.equal(credentialKindOf({ ...base, oauthClientId: 'cli_1', personId: 'per_1', userId: 'usr_1' }), 'oauth');
  assert.equal(credentialKindOf({ ...base, sessionId: 'ses_1', personId: 'per_1', userId: 'usr_1' }), 'session');
  assert.equal(credentialKindOf({ ...base, customerId: 'cus_1', customerSessionId: 'cps_1' }), 'customer');
  // A provider's verified webhook is attributed to the account itself: no credential.
  assert.equal(credentialKindOf(base), 'none');
});
