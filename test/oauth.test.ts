// The OAuth 2.0 server, driven by a real client (openid-client) against the app on a real HTTP
// port: discovery (RFC 8414), client credentials, authorization code + PKCE with the consent
// page answered over HTTP, refresh with rotation, introspection (RFC 7662), revocation
// (RFC 7009). Tokens act on /v1 like API keys, with the same scope checks, and stop the moment
// they are revoked, their app is disconnected or deleted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { createServedTestContext } from './support/real-port.ts';
import { type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { OAuthTokenVerifier } from '../src/auth/oauth-tokens.ts';

let t: TestContext;
let closeServer: () => Promise<void>;
let base: string;
const REDIRECT_URI = 'https://app.example.test/callback';
const FORM = 'application/x-www-form-urlencoded';
const PASSWORD = 'correct horse battery';

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
});
after(async () => {
  await closeServer();
});

async function signUp(name: string) {
  const email = `${name.toLowerCase()}.${randomBytes(4).toString('hex')}@example.test`;
  const res = await t.call('POST', '/v1/auth/sign-up', {
    body: { name, email, password: PASSWORD, account_name: `${name}'s company` },
  });
  assert.equal(res.status, 201, res.text);
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('fieldline.session_token='))!
    .split(';')[0];
  return { email, cookie, accountId: res.body.data.account.id as string, userId: res.body.data.user.user_id as string };
}

async function registerClient(cookie: string, body: Record<string, unknown>) {
  const res = await t.call('POST', '/v1/oauth/clients', { headers: { cookie }, body });
  assert.equal(res.status, 201, res.text);
  return res.body.data as { id: string; client_secret: string | null };
}

const discover = (clientId: string, secret?: string) =>
  oidc.discovery(
    new URL(`${base}/v1/auth`),
    clientId,
    undefined,
    secret ? oidc.ClientSecretBasic(secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' },
  );

const api = (token: string, method: string, path: string, body?: unknown) => t.call(method, path, { key: token, body });

/** The token an OAuth page's form carries (oauth-form-guard.ts). */
const formTokenIn = (html: string) => /name="form_token" value="([^"]+)"/.exec(html)![1];

/**
 * Authorization code + PKCE as a browser would do it: authorize,
 * the consent page, Allow; answers the redirect back to the app.
 */
async function authorizeInBrowser(
  config: oidc.Configuration,
  cookie: string,
  scope: string,
  decision: 'true' | 'false' = 'true',
) {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  const toConsent = await fetch(url, { redirect: 'manual', headers: { cookie } });
  assert.equal(toConsent.status, 302, await toConsent.clone().text());
  const consentUrl = new URL(toConsent.headers.get('location')!, base);
  assert.equal(consentUrl.pathname, '/oauth/consent');
  const page = await fetch(consentUrl, { headers: { cookie } });
  assert.equal(page.status, 200);
  const html = await page.text();
  for (const s of scope.split(' ')) assert.ok(html.includes(`<code>${s}</code>`), `the consent page lists ${s}`);
  const form = {
    accept: decision,
    oauth_query: consentUrl.searchParams.toString(),
    form_token: formTokenIn(html),
  };
  // Another site's post is refused even with the person's cookie and the page's token (login CSRF's twin).
  const elsewheres: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }];
  for (const elsewhere of elsewheres) {
    const refused = await fetch(`${base}/oauth/consent`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, ...elsewhere, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    assert.equal(refused.status, 403, `a post with ${JSON.stringify(elsewhere)} is refused`);
  }
  const answered = await fetch(`${base}/oauth/consent`, {
    method: 'POST',
    redirect: 'manual',
    // As a browser posts it from the page (Referrer-Policy: no-referrer): Origin null, same-origin fetch.
    headers: { cookie, origin: 'null', 'sec-fetch-site': 'same-origin', 'content-type': FORM },
    body: new URLSearchParams(form),
  });
  assert.equal(answered.status, 303, await answered.clone().text());
  return { callback: new URL(answered.headers.get('location')!), codeVerifier, state };
}

describe('the OAuth 2.0 server', () => {
  it('publishes RFC 8414 metadata at the root and under the issuer path', async () => {
    const res = await fetch(`${base}/.well-known/oauth-authorization-server`);
    assert.equal(res.status, 200);
    const metadata = await res.json();
    assert.equal(metadata.issuer, `${base}/v1/auth`);
    assert.equal(metadata.token_endpoint, `${base}/v1/auth/oauth2/token`);
    assert.ok(metadata.code_challenge_methods_supported.includes('S256'));
    assert.ok(metadata.scopes_supported.includes('read:customers'));
    assert.ok(!metadata.scopes_supported.includes('read:*'), 'wildcards stay with API keys');
    const suffixed = await fetch(`${base}/.well-known/oauth-authorization-server/v1/auth`);
    assert.deepEqual(await suffixed.json(), metadata);
  });

  it("gives a client-credentials token that acts as the app's own account with its scopes", async () => {
    const owner = await signUp('Cora');
    const client = await registerClient(owner.cookie, {
      name: 'Nightly sync',
      scopes: ['read:customers', 'read:users'],
      client_credentials: true,
    });
    assert.match(client.client_secret!, /^flo_cs_/);
    const config = await discover(client.id, client.client_secret!);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read:customers read:users' });
    assert.match(tokens.access_token, /^flo_at_/);

    const list = await api(tokens.access_token, 'GET', '/v1/customers');
    assert.equal(list.status, 200, list.text);
    assertProblem(await api(tokens.access_token, 'POST', '/v1/customers', { name: 'Nope' }), 403, 'insufficient_scope');
    assertProblem(await api(tokens.access_token, 'GET', '/v1/users/me'), 404, 'not_found'); // no member behind it

    const wrongSecret = await discover(client.id, 'flo_cs_wrong');
    await assert.rejects(oidc.clientCredentialsGrant(wrongSecret, { scope: 'read:customers' }));
    await assert.rejects(
      oidc.clientCredentialsGrant(config, { scope: 'write:customers' }),
      "no scope beyond the client's",
    );
  });

  it('lets a browser app call from its own origins (CORS), which its account need not allow', async () => {
    const owner = await signUp('Spa');
    const spa = 'https://spa.example.test';
    for (const origin of ['https://spa.example.test/app', 'http://spa.example.test']) {
      const bad = await t.call('POST', '/v1/oauth/clients', {
        headers: { cookie: owner.cookie },
        body: { name: 'Bad', scopes: ['read:customers'], client_credentials: true, allowed_origins: [origin] },
      });
      assertProblem(bad, 422, 'validation_failed');
    }
    const client = await registerClient(owner.cookie, {
      name: 'Dashboard',
      scopes: ['read:customers'],
      client_credentials: true,
      allowed_origins: [spa],
    });
    assert.deepEqual((client as any).allowed_origins, [spa]);
    const token = (
      await oidc.clientCredentialsGrant(await discover(client.id, client.client_secret!), { scope: 'read:customers' })
    ).access_token;

    const preflight = await t.call('OPTIONS', '/v1/customers', {
      headers: {
        origin: spa,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(
      preflight.headers.get('access-control-allow-origin'),
      spa,
      'a newly added app origin passes preflight at once',
    );
    const fromSpa = await t.call('GET', '/v1/customers', { key: token, headers: { origin: spa } });
    assert.equal(fromSpa.status, 200, fromSpa.text);
    assert.equal(fromSpa.headers.get('access-control-allow-origin'), spa);
    const session = await t.call('GET', '/v1/customers', { headers: { cookie: owner.cookie, origin: spa } });
    assert.equal(
      session.headers.get('access-control-allow-origin'),
      null,
      "the origin is the app's, not the account's",
    );

    const changed = await t.call('PATCH', `/v1/oauth/clients/${client.id}`, {
      headers: { cookie: owner.cookie },
      body: { allowed_origins: [] },
    });
    assert.deepEqual(changed.body.data.allowed_origins, []);
    const after = await t.call('GET', '/v1/customers', { key: token, headers: { origin: spa } });
    assert.equal(after.status, 200);
    assert.equal(
      after.headers.get('access-control-allow-origin'),
      null,
      'removing the origin applies to tokens already issued',
    );
  });

  it('runs authorization code + PKCE with consent, refresh with rotation, introspection and revocation', async () => {
    const developer = await signUp('Dev');
    const client = await registerClient(developer.cookie, {
      name: 'Route planner',
      uri: 'https://app.example.test',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers', 'write:customers', 'read:users', 'offline_access'],
    });
    const config = await discover(client.id, client.client_secret!);
    const customer = await signUp('Eve'); // a member of another account lets the app in
    const { callback, codeVerifier, state } = await authorizeInBrowser(
      config,
      customer.cookie,
      'read:customers write:customers read:users offline_access',
    );
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });
    assert.ok(tokens.refresh_token?.startsWith('flo_rt_'));

    const me = await api(tokens.access_token, 'GET', '/v1/users/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.data.id, customer.userId, 'the token acts as the member who granted it');
    const created = await api(tokens.access_token, 'POST', '/v1/customers', { name: 'Made by an app' });
    assert.equal(created.status, 201, created.text);
    const own = await t.call('GET', `/v1/customers/${created.body.data.id}`, { headers: { cookie: customer.cookie } });
    assert.equal(own.status, 200, "written in the granting member's account");
    assertProblem(await api(tokens.access_token, 'GET', '/v1/invoices'), 403, 'insufficient_scope');

    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.client_id, client.id);
    assert.ok(String(introspected.scope).split(' ').includes('write:customers'));

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
    assert.equal((await api(refreshed.access_token, 'GET', '/v1/customers')).status, 200);

    await oidc.tokenRevocation(config, refreshed.access_token);
    assertProblem(await api(refreshed.access_token, 'GET', '/v1/customers'), 401, 'unauthenticated');
    assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false);

    // A rotated refresh token used again means it leaked: the whole family ends, the new one too.
    const again = await oidc.refreshTokenGrant(config, refreshed.refresh_token!);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), 'a used refresh token is refused');
    await assert.rejects(oidc.refreshTokenGrant(config, again.refresh_token!), 'and its successors with it');
    assertProblem(await api(again.access_token, 'GET', '/v1/customers'), 401, 'unauthenticated');
  });

  it('answers a denied consent with access_denied and issues nothing', async () => {
    const developer = await signUp('Fay');
    const client = await registerClient(developer.cookie, {
      name: 'Denied',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers'],
    });
    const config = await discover(client.id, client.client_secret!);
    const { callback } = await authorizeInBrowser(config, developer.cookie, 'read:customers', 'false');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('requires PKCE of public clients and sends a person without a session to sign in first', async () => {
    const developer = await signUp('Gus');
    const client = await registerClient(developer.cookie, {
      name: 'Phone app',
      type: 'public',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers'],
    });
    assert.equal(client.client_secret, null);
    const config = await discover(client.id);
    const noPkce = await fetch(
      oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'read:customers' }),
      { redirect: 'manual', headers: { cookie: developer.cookie } },
    );
    const denied = new URL(noPkce.headers.get('location')!);
    assert.equal(denied.searchParams.get('error'), 'invalid_request');

    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'read:customers',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const toSignIn = await fetch(url, { redirect: 'manual' });
    const signInUrl = new URL(toSignIn.headers.get('location')!, base);
    assert.equal(signInUrl.pathname, '/oauth/sign-in');
    const signInPage = await fetch(signInUrl);
    const formCookie = signInPage.headers.getSetCookie()[0].split(';')[0];
    assert.match(formCookie, /^fieldline\.oauth_form=/);
    const pageToken = formTokenIn(await signInPage.text());
    const post = (headers: Record<string, string>, password: string, formToken = pageToken) =>
      fetch(signInUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': FORM, ...headers },
        body: new URLSearchParams({
          email: developer.email,
          password,
          oauth_query: signInUrl.searchParams.toString(),
          form_token: formToken,
        }),
      });
    const wrong = await post({ cookie: formCookie, origin: 'null' }, 'not the password');
    assert.equal(wrong.status, 401);
    for (const [why, headers, token] of [
      ['another site (Sec-Fetch-Site)', { cookie: formCookie, 'sec-fetch-site': 'cross-site' }, pageToken],
      ['another site (Origin)', { cookie: formCookie, origin: 'https://evil.example' }, pageToken],
      ['no page cookie', { origin: 'null' }, pageToken],
      ['a forged token', { cookie: formCookie, origin: 'null' }, 'x'.repeat(43)],
      ['no token', { cookie: formCookie, origin: 'null' }, ''],
    ] as const) {
      const refused = await post(headers, PASSWORD, token);
      assert.equal(refused.status, 403, `login CSRF refused: ${why}`);
      assert.equal(refused.headers.getSetCookie().length, 0);
    }
    const notAForm = await fetch(signInUrl, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: '{"email":',
    });
    assert.equal(notAForm.status, 400);
    const signedIn = await post({ cookie: formCookie, origin: 'null', 'sec-fetch-site': 'same-origin' }, PASSWORD);
    assert.equal(signedIn.status, 303);
    const cookie = signedIn.headers
      .getSetCookie()
      .find((c) => c.startsWith('fieldline.session_token='))!
      .split(';')[0];
    const back = await fetch(new URL(signedIn.headers.get('location')!, base), {
      redirect: 'manual',
      headers: { cookie },
    });
    assert.equal(
      new URL(back.headers.get('location')!, base).pathname,
      '/oauth/consent',
      'signed in, the person is asked for consent',
    );
  });
});

describe('managing OAuth apps and connected apps', () => {
  it('keeps clients to their account, rotates secrets and disables apps at once', async () => {
    const owner = await signUp('Hal');
    const stranger = await signUp('Ivy');
    const client = await registerClient(owner.cookie, {
      name: 'Sync',
      scopes: ['read:customers', 'read:jobs'],
      client_credentials: true,
    });
    assertProblem(
      await t.call('GET', `/v1/oauth/clients/${client.id}`, { headers: { cookie: stranger.cookie } }),
      404,
      'not_found',
    );
    assertProblem(
      await t.call('DELETE', `/v1/oauth/clients/${client.id}`, { headers: { cookie: stranger.cookie } }),
      404,
      'not_found',
    );
    const listed = await t.call('GET', '/v1/oauth/clients', { headers: { cookie: owner.cookie } });
    assert.deepEqual(
      listed.body.data.map((c: { id: string }) => c.id),
      [client.id],
    );
    assert.ok(!('client_secret' in listed.body.data[0]), 'secrets are never listed');
    assertProblem(
      await t.call('POST', '/v1/oauth/clients', {
        headers: { cookie: owner.cookie },
        body: { name: 'x', scopes: ['read:*'], redirect_uris: [REDIRECT_URI] },
      }),
      422,
      'validation_failed',
    );
    assertProblem(
      await t.call('POST', '/v1/oauth/clients', {
        headers: { cookie: owner.cookie },
        body: { name: 'x', scopes: ['read:customers'], redirect_uris: ['http://evil.example/cb'] },
      }),
      422,
      'validation_failed',
    );
    for (const body of [
      { redirect_uris: ['not a url'] },
      { redirect_uris: [REDIRECT_URI], allowed_origins: ['not a url'] },
    ]) {
      const refused = await t.call('POST', '/v1/oauth/clients', {
        headers: { cookie: owner.cookie },
        body: { name: 'x', scopes: ['read:customers'], ...body },
      });
      assertProblem(refused, 422, 'validation_failed');
      assert.ok(refused.body.errors.length >= 1, `an unparsable URL is a field error, not a 500: ${refused.text}`);
    }

    const config = await discover(client.id, client.client_secret!);
    const token = (await oidc.clientCredentialsGrant(config, { scope: 'read:customers read:jobs' })).access_token;
    assert.equal((await api(token, 'GET', '/v1/jobs')).status, 200);

    const rotated = await t.call('POST', `/v1/oauth/clients/${client.id}/rotate-secret`, {
      headers: { cookie: owner.cookie },
    });
    assert.equal(rotated.status, 200, rotated.text);
    await assert.rejects(
      oidc.clientCredentialsGrant(config, { scope: 'read:customers' }),
      'the old secret stops at once',
    );
    await oidc.clientCredentialsGrant(await discover(client.id, rotated.body.data.client_secret), {
      scope: 'read:customers',
    });

    const narrowed = await t.call('PATCH', `/v1/oauth/clients/${client.id}`, {
      headers: { cookie: owner.cookie },
      body: { scopes: ['read:customers'] },
    });
    assert.equal(narrowed.status, 200, narrowed.text);
    assertProblem(await api(token, 'GET', '/v1/jobs'), 403, 'insufficient_scope');
    assert.equal((await api(token, 'GET', '/v1/customers')).status, 200);

    await t.call('PATCH', `/v1/oauth/clients/${client.id}`, {
      headers: { cookie: owner.cookie },
      body: { disabled: true },
    });
    assertProblem(await api(token, 'GET', '/v1/customers'), 401, 'unauthenticated');
  });

  it(
    'gives an app no scope the caller lacks, ' + "and lets only a credential holding all of an app's scopes change it",
    async () => {
      const owner = await signUp('Lou');
      const limitedKey = await t.newKey(owner.accountId, [
        'read:oauth-clients',
        'write:oauth-clients',
        'read:customers',
      ]);
      const escalation = await t.call('POST', '/v1/oauth/clients', {
        key: limitedKey,
        body: { name: 'Sneaky', scopes: ['write:users'], client_credentials: true },
      });
      assertProblem(escalation, 403, 'insufficient_scope');
      assert.equal(
        (await t.call('GET', '/v1/oauth/clients', { key: limitedKey })).body.data.length,
        0,
        'nothing was created',
      );
      const mine = await t.call('POST', '/v1/oauth/clients', {
        key: limitedKey,
        body: { name: 'Reader', scopes: ['read:customers'], client_credentials: true },
      });
      assert.equal(mine.status, 201, mine.text);
      assertProblem(
        await t.call('PATCH', `/v1/oauth/clients/${mine.body.data.id}`, {
          key: limitedKey,
          body: { scopes: ['read:customers', 'write:account'] },
        }),
        403,
        'insufficient_scope',
      );
      const powerful = await registerClient(owner.cookie, {
        name: 'Admin tool',
        scopes: ['write:users'],
        client_credentials: true,
      });
      assertProblem(
        await t.call('POST', `/v1/oauth/clients/${powerful.id}/rotate-secret`, { key: limitedKey }),
        403,
        'insufficient_scope',
      );
      assertProblem(
        await t.call('DELETE', `/v1/oauth/clients/${powerful.id}`, { key: limitedKey }),
        403,
        'insufficient_scope',
      );
    },
  );

  it('lists the apps members let in, and disconnecting one ends its tokens in this account', async () => {
    const developer = await signUp('Jo');
    const customer = await signUp('Kim');
    const client = await registerClient(developer.cookie, {
      name: 'Planner',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers', 'offline_access'],
    });
    const config = await discover(client.id, client.client_secret!);
    const { callback, codeVerifier, state } = await authorizeInBrowser(
      config,
      customer.cookie,
      'read:customers offline_access',
    );
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });

    const connected = await t.call('GET', '/v1/oauth/connected-apps', { headers: { cookie: customer.cookie } });
    assert.equal(connected.status, 200, connected.text);
    assert.equal(connected.body.data.length, 1);
    assert.equal(connected.body.data[0].id, client.id);
    assert.equal(connected.body.data[0].people[0].email, customer.email);
    assert.deepEqual(
      (await t.call('GET', '/v1/oauth/connected-apps', { headers: { cookie: developer.cookie } })).body.data,
      [],
    );

    assert.equal((await api(tokens.access_token, 'GET', '/v1/customers')).status, 200);
    const disconnected = await t.call('DELETE', `/v1/oauth/connected-apps/${client.id}`, {
      headers: { cookie: customer.cookie },
    });
    assert.equal(disconnected.status, 200, disconnected.text);
    assertProblem(await api(tokens.access_token, 'GET', '/v1/customers'), 401, 'unauthenticated');
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!));
    assertProblem(
      await t.call('DELETE', `/v1/oauth/connected-apps/${client.id}`, { headers: { cookie: customer.cookie } }),
      404,
      'not_found',
    );
  });

  it("ends a member's grants when they are deactivated, so re-activation does not bring them back", async () => {
    const developer = await signUp('Max');
    const owner = await signUp('Ned');
    const client = await registerClient(developer.cookie, {
      name: 'Planner',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers', 'offline_access'],
    });
    const config = await discover(client.id, client.client_secret!);
    const member = await t.call('POST', '/v1/users', {
      headers: { cookie: owner.cookie },
      body: { name: 'Ola', email: `ola.${randomBytes(4).toString('hex')}@example.test`, role: 'office' },
    });
    assert.equal(member.status, 201, member.text);
    // An office member, invited and signed in, lets the app in; the owner then deactivates them.
    const invite = await t.call('POST', `/v1/users/${member.body.data.id}/invite`, {
      headers: { cookie: owner.cookie },
    });
    assert.equal(invite.status, 200, invite.text);
    const [mail] = await systemQuery(t.db, {
      sql: 'SELECT text_body FROM mail_outbox WHERE $1 = ANY (to_addresses) ORDER BY created_at DESC LIMIT 1',
      parameters: [member.body.data.email],
    });
    const token = /inv_[A-Za-z0-9_-]+/.exec(mail.text_body)![0];
    const ola = await t.call('POST', '/v1/auth/sign-up', {
      body: { name: 'Ola', email: member.body.data.email, password: PASSWORD, account_name: 'Ola solo' },
    });
    const olaCookie = ola.headers
      .getSetCookie()
      .find((c) => c.startsWith('fieldline.session_token='))!
      .split(';')[0];
    const accepted = await t.call('POST', '/v1/auth/accept-invitation', {
      headers: { cookie: olaCookie },
      body: { token },
    });
    assert.equal(accepted.status, 200, accepted.text);
    const { callback, codeVerifier, state } = await authorizeInBrowser(
      config,
      olaCookie,
      'read:customers offline_access',
    );
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });
    assert.equal((await api(tokens.access_token, 'GET', '/v1/customers')).status, 200);

    await t.call('PATCH', `/v1/users/${member.body.data.id}`, {
      headers: { cookie: owner.cookie },
      body: { status: 'inactive' },
    });
    assertProblem(await api(tokens.access_token, 'GET', '/v1/customers'), 401, 'unauthenticated');
    await t.call('PATCH', `/v1/users/${member.body.data.id}`, {
      headers: { cookie: owner.cookie },
      body: { status: 'active' },
    });
    assertProblem(await api(tokens.access_token, 'GET', '/v1/customers'), 401, 'unauthenticated');
    await assert.rejects(
      oidc.refreshTokenGrant(config, tokens.refresh_token!),
      'the refresh token ended with the grant',
    );
  });
});

describe('every node hears when a token ends', () => {
  // Another node's verifier on the same database, trusting its cache for ten minutes: only the
  // token table's trigger (NOTIFY at commit) can make it drop a token in time.
  let node: OAuthTokenVerifier;
  before(async () => {
    node = new OAuthTokenVerifier(t.db, t.registry, { cacheTtlMs: 600_000 });
    await node.start();
  });
  after(async () => {
    await node.stop();
  });

  async function eventually(condition: () => Promise<boolean>, what: string) {
    const deadline = Date.now() + 3_000;
    while (!(await condition())) {
      if (Date.now() > deadline) assert.fail(what);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('a token revoked through one node, or whose app is deleted, is refused by the other', async () => {
    const owner = await signUp('Pia');
    const client = await registerClient(owner.cookie, {
      name: 'Shared',
      scopes: ['read:customers'],
      client_credentials: true,
    });
    const config = await discover(client.id, client.client_secret!);
    const first = (await oidc.clientCredentialsGrant(config, { scope: 'read:customers' })).access_token;
    const second = (await oidc.clientCredentialsGrant(config, { scope: 'read:customers' })).access_token;
    assert.ok(await node.verify(first), 'the other node caches the token');
    assert.ok(await node.verify(second));

    await oidc.tokenRevocation(config, first);
    await eventually(async () => (await node.verify(first)) === null, 'the other node refuses the revoked token');
    assert.ok(await node.verify(second), 'and only that one');
    assert.equal(
      (await t.call('DELETE', `/v1/oauth/clients/${client.id}`, { headers: { cookie: owner.cookie } })).status,
      200,
    );
    await eventually(
      async () => (await node.verify(second)) === null,
      "the other node refuses the deleted app's token",
    );
  });
});
