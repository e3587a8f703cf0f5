// One of each credential an account's callers hold, for suites that check what each may reach:
// an owner's session (cookie and bearer token) made by sign-up, an OAuth client-credentials token
// from the token endpoint, and an end customer's portal session for a customer of the account.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { systemQuery } from '../../src/db/system-query.ts';
import { newId } from '../../src/platform/ids.ts';
import { sha256 } from '../../src/platform/random-tokens.ts';
import type { TestContext } from './test-context.ts';

export interface TenantCredentials {
  accountId: string;
  /** The owner's session, as its cookie and as a bearer token. */
  memberCookie: string;
  memberToken: string;
  oauthToken: string;
  customerToken: string;
  customerId: string;
}

/** A new account (by sign-up) and one credential of each kind in it. */
export async function tenantCredentials(t: TestContext, name = 'Owner'): Promise<TenantCredentials> {
  const email = `${name.toLowerCase()}.${randomBytes(4).toString('hex')}@example.test`;
  const signedUp = await t.call('POST', '/v1/auth/sign-up', {
    body: { name, email, password: 'correct horse battery', account_name: `${name} Co` },
  });
  assert.equal(signedUp.status, 201, signedUp.text);
  const memberCookie = signedUp.headers
    .getSetCookie()
    .find((c) => c.startsWith('fieldline.session_token='))!
    .split(';')[0];
  const accountId = signedUp.body.data.account.id as string;
  const memberToken = signedUp.body.data.token as string;

  const app = await t.call('POST', '/v1/oauth/clients', {
    headers: { cookie: memberCookie },
    body: { name: 'Sync app', scopes: ['read:customers'], client_credentials: true },
  });
  assert.equal(app.status, 201, app.text);
  const basic = Buffer.from(`${app.body.data.id}:${app.body.data.client_secret}`).toString('base64');
  const token = await t.call('POST', '/v1/auth/oauth2/token', {
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read:customers' }).toString(),
  });
  assert.equal(token.status, 200, token.text);

  const customer = await t.call('POST', '/v1/customers', {
    headers: { cookie: memberCookie, origin: 'http://localhost:3000' },
    body: { name: 'Pat Customer', email: `pat.${randomBytes(3).toString('hex')}@example.test` },
  });
  assert.equal(customer.status, 201, customer.text);
  // A portal session as sign-in by code opens one (customer-sessions.ts): only the hash is stored.
  const customerToken = `flc_${randomBytes(32).toString('base64url')}`;
  await systemQuery(t.db, {
    sql: `INSERT INTO customer_sessions (id, account_id, customer_id, token_hash, created_at, expires_at)
          VALUES ($1, $2, $3, $4, now(), now() + interval '1 hour')`,
    parameters: [newId('csess'), accountId, customer.body.data.id, `\\x${sha256(customerToken).toString('hex')}`],
  });
  return {
    accountId,
    memberCookie,
    memberToken,
    oauthToken: token.body.access_token,
    customerToken,
    customerId: customer.body.data.id,
  };
}
