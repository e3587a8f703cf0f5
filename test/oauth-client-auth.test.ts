// Client authentication as real clients do it: openid-client's default (client_secret_post) and
// client_secret_basic both work for a confidential client, whichever method it registered, at
// the token, introspection and revocation endpoints; a wrong secret fails by either method; a
// public client cannot pass a secret off as authentication.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createServedTestContext } from './support/real-port.ts';
import type { TestContext } from './support/test-context.ts';
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

const BY_METHOD = {
  client_secret_basic: oidc.ClientSecretBasic,
  client_secret_post: oidc.ClientSecretPost,
} as const;

describe('client authentication', () => {
  for (const registered of ['client_secret_basic', 'client_secret_post'] as const) {
    it(`accepts both advertised methods from a client registered for ${registered}`, async () => {
      const owner = await signUpPerson(t, 'Uma');
      const app = await registerApp(t, owner.cookie, {
        name: 'Sync',
        redirect_uris: [REDIRECT_URI],
        scopes: ['read:customers'],
        client_credentials: true,
        token_endpoint_auth_method: registered,
      });
      assert.equal(app.token_endpoint_auth_method, registered);
      // openid-client's default, with no method named: client_secret_post.
      const byDefault = await oidc.discovery(new URL(`${base}/v1/auth`), app.id, app.client_secret!, undefined, {
        execute: [oidc.allowInsecureRequests],
        algorithm: 'oauth2',
      });
      for (const [used, config] of [
        ['default', byDefault],
        ['client_secret_basic', await discoverAt(base, app.id, oidc.ClientSecretBasic(app.client_secret!))],
        ['client_secret_post', await discoverAt(base, app.id, oidc.ClientSecretPost(app.client_secret!))],
      ] as const) {
        const what = `registered ${registered}, used ${used}`;
        const { access_token } = await oidc.clientCredentialsGrant(config, { scope: 'read:customers' });
        const code = await codeGrant(base, config, owner.cookie, REDIRECT_URI, 'read:customers');
        assert.ok(code.access_token, `${what}: code exchange`);
        assert.equal((await oidc.tokenIntrospection(config, access_token)).active, true, `${what}: introspection`);
        await oidc.tokenRevocation(config, access_token);
        assert.equal((await oidc.tokenIntrospection(config, access_token)).active, false, `${what}: revoked`);
      }
      for (const [method, auth] of Object.entries(BY_METHOD)) {
        const wrong = await discoverAt(base, app.id, auth(`${app.client_secret}x`));
        await assert.rejects(
          oidc.clientCredentialsGrant(wrong, { scope: 'read:customers' }),
          `wrong secret, ${method}`,
        );
        const other = await discoverAt(base, app.id, auth('flo_cs_someone-elses'));
        await assert.rejects(oidc.tokenIntrospection(other, 'flo_at_x'), `another secret, ${method}`);
      }
    });
  }

  it('gives a public client no way in with a secret, and lets it exchange a code with PKCE alone', async () => {
    const owner = await signUpPerson(t, 'Vic');
    const app = await registerApp(t, owner.cookie, {
      name: 'Phone app',
      type: 'public',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers'],
    });
    assert.equal(app.token_endpoint_auth_method, 'none');
    const code = await codeGrant(
      base,
      await discoverAt(base, app.id, oidc.None()),
      owner.cookie,
      REDIRECT_URI,
      'read:customers',
    );
    assert.ok(code.access_token);
    for (const auth of Object.values(BY_METHOD)) {
      const config = await discoverAt(base, app.id, auth('flo_cs_guess'));
      await assert.rejects(codeGrant(base, config, owner.cookie, REDIRECT_URI, 'read:customers'));
    }
  });
});
