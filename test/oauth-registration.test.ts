// Dynamic client registration (RFC 7591) at the metadata's registration_endpoint: public and
// confidential apps register themselves, with bounded https or loopback redirect URIs and PKCE,
// get nothing by registering (no client credentials, no account), and their tokens carry only
// what a person allowed on the consent page, which says the app named itself. Refusals are RFC
// 7591 errors that store nothing; one address may register only so many apps an hour.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createServedTestContext } from './support/real-port.ts';
import type { TestContext } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { REGISTRATIONS_PER_ADDRESS } from '../src/auth/oauth-registration.ts';
import { codeGrant, discoverAt, signUpPerson } from './support/oauth-flow.ts';

const REDIRECT_URI = 'http://127.0.0.1:8976/callback';
let t: TestContext;
let base: string;
let closeServer: () => Promise<void>;
let registrationEndpoint: string;

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
  const metadata = await (await fetch(`${base}/.well-known/oauth-authorization-server/v1/auth`)).json();
  registrationEndpoint = metadata.registration_endpoint;
});
after(async () => {
  await closeServer();
});

const register = (body: unknown) =>
  fetch(registrationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const clientCount = async () =>
  Number((await systemQuery(t.db, { sql: 'SELECT count(*) AS n FROM oauth_clients', parameters: [] }))[0].n);

describe('dynamic client registration (RFC 7591)', () => {
  it('is advertised at both metadata addresses', async () => {
    assert.equal(registrationEndpoint, `${base}/v1/auth/oauth2/register`);
    const root = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    assert.equal(root.registration_endpoint, registrationEndpoint);
  });

  it('refuses bad metadata with RFC 7591 errors and stores nothing', async () => {
    const before = await clientCount();
    const cases: [unknown, string][] = [
      ['{"redirect_uris": [', 'invalid_client_metadata'],
      [{}, 'invalid_redirect_uri'],
      [{ redirect_uris: [] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['http://app.example.test/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://app.example.test/cb#fragment'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: [`https://app.example.test/${'a'.repeat(2000)}`] }, 'invalid_redirect_uri'],
      [
        { redirect_uris: Array.from({ length: 11 }, (_, i) => `https://app.example.test/${i}`) },
        'invalid_redirect_uri',
      ],
      [{ redirect_uris: [REDIRECT_URI], grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT_URI], grant_types: ['refresh_token'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT_URI], response_types: ['token'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT_URI], scope: 'read:customers read:*' }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT_URI], client_name: 'x'.repeat(201) }, 'invalid_client_metadata'],
    ];
    for (const [body, error] of cases) {
      const res = await register(body);
      const answer = await res.json();
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 100));
      assert.equal(answer.error, error, `${JSON.stringify(body).slice(0, 100)}: ${answer.error_description}`);
    }
    assert.equal(await clientCount(), before);
  });

  it('registers a public app that must use PKCE, and whose token holds only what the person allowed', async () => {
    const res = await register({
      client_name: 'Agent',
      redirect_uris: [REDIRECT_URI, 'http://localhost/cb', 'https://agent.example.test/cb'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    assert.equal(res.status, 201);
    const app = await res.json();
    assert.match(app.client_id, /^oac_/);
    assert.equal(app.client_secret, undefined);
    assert.equal(app.token_endpoint_auth_method, 'none');
    assert.ok(app.scope.split(' ').includes('write:customers'), 'all OAuth scopes when none are asked for');

    const person = await signUpPerson(t, 'Wes');
    const config = await discoverAt(base, app.client_id, oidc.None());
    const withoutPkce = await fetch(
      oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'read:customers' }),
      { redirect: 'manual', headers: { cookie: person.cookie } },
    );
    assert.equal(new URL(withoutPkce.headers.get('location')!).searchParams.get('error'), 'invalid_request');
    const consentPage = await fetch(
      oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'read:customers',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      }),
      { headers: { cookie: person.cookie } },
    );
    const html = await consentPage.text();
    assert.match(html, /This app registered itself/);
    assert.match(html, /<strong>127\.0\.0\.1:8976<\/strong>/, 'the page says where Allow sends the person');

    const tokens = await codeGrant(base, config, person.cookie, REDIRECT_URI, 'read:customers');
    const as = (method: string, path: string, body?: unknown) =>
      t.call(method, path, { key: tokens.access_token, body });
    assert.equal((await as('GET', '/v1/customers')).status, 200);
    assert.equal((await as('POST', '/v1/customers', { name: 'Not allowed' })).status, 403, 'write was not allowed');
    assert.equal((await as('GET', '/v1/invoices')).status, 403, 'nor another collection');
  });

  it('registers a confidential app with a secret shown once, and no client credentials', async () => {
    const res = await register({
      client_name: 'Server app',
      redirect_uris: ['https://srv.example.test/cb'],
      scope: 'read:customers',
    });
    assert.equal(res.status, 201);
    const app = await res.json();
    assert.equal(app.token_endpoint_auth_method, 'client_secret_basic');
    assert.match(app.client_secret, /^flo_cs_/);
    assert.equal(app.client_secret_expires_at, 0);
    const [row] = await systemQuery(t.db, {
      sql: 'SELECT client_secret, reference_id, require_pkce FROM oauth_clients WHERE client_id = $1',
      parameters: [app.client_id],
    });
    assert.ok(!row.client_secret.includes(app.client_secret.slice(7)), 'the secret is stored sealed');
    assert.equal(row.reference_id, null, 'it belongs to no account');
    assert.equal(row.require_pkce, true);
    const person = await signUpPerson(t, 'Xia');
    for (const auth of [oidc.ClientSecretBasic, oidc.ClientSecretPost]) {
      const config = await discoverAt(base, app.client_id, auth(app.client_secret));
      const tokens = await codeGrant(base, config, person.cookie, 'https://srv.example.test/cb', 'read:customers');
      assert.equal((await t.call('GET', '/v1/customers', { key: tokens.access_token })).status, 200);
      await assert.rejects(
        oidc.clientCredentialsGrant(config, { scope: 'read:customers' }),
        'registering gives no access of its own',
      );
      await assert.rejects(
        codeGrant(base, config, person.cookie, 'https://srv.example.test/cb', 'write:customers'),
        'nor scopes beyond those it registered',
      );
    }
  });

  it(`lets one address register ${REGISTRATIONS_PER_ADDRESS.limit} apps an hour`, async () => {
    const own = await createServedTestContext();
    try {
      const body = JSON.stringify({ redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' });
      const send = () =>
        fetch(`${own.base}/v1/auth/oauth2/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      for (let i = 0; i < REGISTRATIONS_PER_ADDRESS.limit; i++)
        assert.equal((await send()).status, 201, `registration ${i + 1}`);
      const refused = await send();
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal((await refused.json()).code, 'rate_limited');
    } finally {
      await own.close();
    }
  });
});
