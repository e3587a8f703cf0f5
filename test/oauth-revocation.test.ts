// Token revocation as RFC 7009 has it, driven by openid-client's tokenRevocation: a token that is
// unknown, expired or already revoked answers 200 like a live one, with or without a
// token_type_hint (a wrong hint too), while the client must still authenticate: a wrong secret is
// 401 invalid_client whatever the token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createServedTestContext } from './support/real-port.ts';
import type { TestContext } from './support/test-context.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { storedTokenHash } from '../src/auth/oauth-tokens.ts';
import { codeGrant, discoverAt, registerApp, signUpPerson } from './support/oauth-flow.ts';

const REDIRECT_URI = 'https://app.example.test/callback';
let t: TestContext;
let base: string;
let closeServer: () => Promise<void>;

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
});
after(async () => {
  await closeServer();
});

const HINTS = [undefined, 'access_token', 'refresh_token'] as const;
const hinted = (hint: (typeof HINTS)[number]) => (hint ? { token_type_hint: hint } : undefined);
const works = async (token: string) =>
  (await fetch(`${base}/v1/customers`, { headers: { authorization: `Bearer ${token}` } })).status;

describe('token revocation (RFC 7009)', () => {
  it('answers 200 for live, unknown, expired and already revoked tokens, with any hint or none', async () => {
    const developer = await signUpPerson(t, 'Rae');
    const app = await registerApp(t, developer.cookie, {
      name: 'Planner',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers', 'offline_access'],
    });
    const config = await discoverAt(base, app.id, oidc.ClientSecretBasic(app.client_secret!));
    const tokens = await codeGrant(base, config, developer.cookie, REDIRECT_URI, 'read:customers offline_access');
    assert.equal(await works(tokens.access_token), 200);

    // A wrong hint is only a hint: the refresh token is found and its family ends, its access token with it.
    await oidc.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'access_token' });
    assert.equal(await works(tokens.access_token), 401, 'the access token of a revoked refresh token stops');
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), 'the refresh token is revoked');

    const expiring = await codeGrant(base, config, developer.cookie, REDIRECT_URI, 'read:customers');
    await systemQuery(t.db, {
      sql: `UPDATE oauth_access_tokens SET expires_at = now() - interval '1 minute' WHERE token = $1`,
      parameters: [storedTokenHash(expiring.access_token)],
    });
    for (const hint of HINTS) {
      for (const [what, token] of [
        ['already revoked access token', tokens.access_token],
        ['already revoked refresh token', tokens.refresh_token!],
        ['expired access token', expiring.access_token],
        ['unknown token with our prefix', 'flo_at_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
        ['unknown token', 'not-a-token-of-ours'],
      ]) {
        await oidc.tokenRevocation(config, token, hinted(hint)).catch((error) => {
          assert.fail(`${what}, hint ${hint ?? 'none'}: ${error.message}`);
        });
      }
    }
  });

  it('still requires the client to authenticate: a wrong secret is 401 invalid_client', async () => {
    const developer = await signUpPerson(t, 'Sam');
    const app = await registerApp(t, developer.cookie, {
      name: 'Sync',
      scopes: ['read:customers'],
      client_credentials: true,
    });
    const config = await discoverAt(base, app.id, oidc.ClientSecretBasic(app.client_secret!));
    const live = (await oidc.clientCredentialsGrant(config, { scope: 'read:customers' })).access_token;
    const wrong = await discoverAt(base, app.id, oidc.ClientSecretBasic(`${app.client_secret}x`));
    for (const token of [live, 'flo_at_unknown', 'unknown']) {
      for (const hint of HINTS) {
        const error: any = await oidc.tokenRevocation(wrong, token, hinted(hint)).then(
          () => assert.fail(`revoking ${token} with a wrong secret (hint ${hint}) succeeded`),
          (failure) => failure,
        );
        assert.equal(error.status, 401, error.message);
        // openid-client reads a 401 with a Basic challenge as a WWW-Authenticate error: the body says which.
        const body = error.error ? { error: error.error } : await error.response.json();
        assert.equal(body.error, 'invalid_client', `${token}, hint ${hint}`);
      }
      const anonymous = await fetch(`${base}/v1/auth/oauth2/revoke`, {
        method: 'POST',
        body: new URLSearchParams({ token }),
      });
      assert.equal(anonymous.status, 401, 'no client at all');
      assert.equal((await anonymous.json()).error, 'invalid_client');
    }
    assert.equal(await works(live), 200, 'a refused revocation revokes nothing');
    await oidc.tokenRevocation(config, live);
    assert.equal(await works(live), 401);
  });

  it('lets a public client revoke with its id alone, and no one else by that id', async () => {
    const developer = await signUpPerson(t, 'Tia');
    const app = await registerApp(t, developer.cookie, {
      name: 'Phone app',
      type: 'public',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers'],
    });
    const config = await discoverAt(base, app.id, oidc.None());
    const tokens = await codeGrant(base, config, developer.cookie, REDIRECT_URI, 'read:customers');
    await oidc.tokenRevocation(config, tokens.access_token);
    assert.equal(await works(tokens.access_token), 401);
    await oidc.tokenRevocation(config, tokens.access_token); // already revoked: 200 again
    const withSecret = await discoverAt(base, app.id, oidc.ClientSecretPost('flo_cs_guess'));
    await assert.rejects(oidc.tokenRevocation(withSecret, 'unknown'), 'a public client has no secret to send');
  });
});
