// The OAuth steps the interoperability suites share: a person signed up (their session cookie),
// an app registered by them, openid-client discovery, and the consent a signed-in person gives
// over HTTP (the page's form with its token, posted as a browser posts it).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { TestContext } from './test-context.ts';

export const PASSWORD = 'correct horse battery';

export async function signUpPerson(t: TestContext, name: string) {
  const email = `${name.toLowerCase()}.${randomBytes(4).toString('hex')}@example.test`;
  const res = await t.call('POST', '/v1/auth/sign-up', {
    body: { name, email, password: PASSWORD, account_name: `${name}'s company` },
  });
  assert.equal(res.status, 201, res.text);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('fieldline.session_token='))!;
  return { email, cookie: cookie.split(';')[0], userId: res.body.data.user.user_id as string };
}

export async function registerApp(t: TestContext, cookie: string, body: Record<string, unknown>) {
  const res = await t.call('POST', '/v1/oauth/clients', { headers: { cookie }, body });
  assert.equal(res.status, 201, res.text);
  return res.body.data as { id: string; client_secret: string | null; token_endpoint_auth_method: string };
}

export const discoverAt = (base: string, clientId: string, auth: oidc.ClientAuth) =>
  oidc.discovery(new URL(`${base}/v1/auth`), clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
    algorithm: 'oauth2',
  });

/** Follows an authorization URL as the signed-in person, clicks Allow on the consent page; the app's callback URL. */
export async function consentOverHttp(base: string, authorizationUrl: URL, cookie: string): Promise<URL> {
  const toConsent = await fetch(authorizationUrl, { redirect: 'manual', headers: { cookie } });
  assert.equal(toConsent.status, 302, await toConsent.clone().text());
  const consentUrl = new URL(toConsent.headers.get('location')!, base);
  if (consentUrl.origin !== base) return consentUrl; // consented before: straight back to the app
  assert.equal(consentUrl.pathname, '/oauth/consent', consentUrl.href);
  const page = await (await fetch(consentUrl, { headers: { cookie } })).text();
  const answered = await fetch(`${base}/oauth/consent`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: 'null', 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({
      accept: 'true',
      oauth_query: consentUrl.searchParams.toString(),
      form_token: /name="form_token" value="([^"]+)"/.exec(page)![1],
    }),
  });
  assert.equal(answered.status, 303, await answered.clone().text());
  return new URL(answered.headers.get('location')!);
}

/** Authorization code + PKCE for `config`, consented by the person of `cookie`: openid-client's tokens. */
export async function codeGrant(
  base: string,
  config: oidc.Configuration,
  cookie: string,
  redirectUri: string,
  scope: string,
) {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  const callback = await consentOverHttp(base, url, cookie);
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state });
}
