// The metadata names only what the endpoints do: every client authentication method it
// advertises for the token, introspection and revocation endpoints works there (through
// openid-client), the common ones it leaves out fail, and nothing it lists belongs to features we
// lack (private_key_jwt, JWT signing algorithms, DPoP).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { createServedTestContext } from './support/real-port.ts';
import type { TestContext } from './support/test-context.ts';
import { codeGrant, discoverAt, registerApp, signUpPerson } from './support/oauth-flow.ts';

const REDIRECT_URI = 'https://app.example.test/callback';
/** Methods of the IANA registry a client might pick if we listed them. */
const OTHER_METHODS = ['private_key_jwt', 'client_secret_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'];
let t: TestContext;
let base: string;
let closeServer: () => Promise<void>;

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
});
after(async () => {
  await closeServer();
});

describe('what the metadata advertises', () => {
  it('is what the token, introspection and revocation endpoints accept, and no more', async () => {
    const metadata = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
    const person = await signUpPerson(t, 'Zoe');
    const confidential = await registerApp(t, person.cookie, {
      name: 'Server app',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers'],
      client_credentials: true,
    });
    const publicApp = await registerApp(t, person.cookie, {
      name: 'Phone app',
      type: 'public',
      redirect_uris: [REDIRECT_URI],
      scopes: ['read:customers'],
    });
    const secret = confidential.client_secret!;
    const key = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    /** A configuration authenticating by `method`, for the app that method is for. */
    const configFor = (method: string) => {
      if (method === 'none') return discoverAt(base, publicApp.id, oidc.None());
      const auth =
        method === 'client_secret_basic'
          ? oidc.ClientSecretBasic(secret)
          : method === 'client_secret_post'
            ? oidc.ClientSecretPost(secret)
            : method === 'client_secret_jwt'
              ? oidc.ClientSecretJwt(secret)
              : method === 'private_key_jwt'
                ? oidc.PrivateKeyJwt(key.privateKey)
                : null;
      return auth && discoverAt(base, confidential.id, auth);
    };
    /** Whether the token endpoint issues a token to a client authenticating by `method`. */
    const tokenEndpointAccepts = async (method: string) => {
      const config = await configFor(method);
      if (!config) return false;
      const grant =
        method === 'none'
          ? codeGrant(base, config, person.cookie, REDIRECT_URI, 'read:customers')
          : oidc.clientCredentialsGrant(config, { scope: 'read:customers' });
      return grant.then(
        (tokens) => Boolean(tokens.access_token),
        () => false,
      );
    };
    const live = (
      await oidc.clientCredentialsGrant((await configFor('client_secret_basic'))!, { scope: 'read:customers' })
    ).access_token;
    const introspectionAccepts = async (method: string) => {
      const config = await configFor(method);
      return (
        Boolean(config) &&
        oidc.tokenIntrospection(config!, live).then(
          (answer) => answer.active === true,
          () => false,
        )
      );
    };
    const revocationAccepts = async (method: string) => {
      const config = await configFor(method);
      return (
        Boolean(config) &&
        oidc.tokenRevocation(config!, 'flo_at_unknown').then(
          () => true,
          () => false,
        )
      );
    };

    for (const [endpoint, field, accepts] of [
      ['token', 'token_endpoint_auth_methods_supported', tokenEndpointAccepts],
      ['introspection', 'introspection_endpoint_auth_methods_supported', introspectionAccepts],
      ['revocation', 'revocation_endpoint_auth_methods_supported', revocationAccepts],
    ] as const) {
      const advertised: string[] = metadata[field];
      assert.ok(advertised.length > 0, field);
      for (const method of new Set([
        ...advertised,
        'none',
        'client_secret_basic',
        'client_secret_post',
        ...OTHER_METHODS,
      ]))
        assert.equal(
          await accepts(method),
          advertised.includes(method),
          `${endpoint} endpoint, ${method}: ` +
            (advertised.includes(method) ? 'advertised but refused' : 'accepted but not advertised'),
        );
    }
    for (const name of Object.keys(metadata))
      assert.doesNotMatch(name, /signing_alg_values_supported$/, `${name}: no JWT client authentication, no DPoP`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(metadata.grant_types_supported.sort(), [
      'authorization_code',
      'client_credentials',
      'refresh_token',
    ]);
  });
});
