// The authorization server's metadata (RFC 8414): Better Auth's, with what is ours added and what
// this server does not do taken out. Its defaults name private_key_jwt, JWT signing algorithms and
// DPoP; we issue opaque tokens, register no client keys and verify no DPoP proofs, so a client
// reading them would pick a method that fails. Advertised is what the endpoints accept
// (oauth-client-credentials.ts): test/oauth-metadata.test.ts tries each one, and the others.
import type { Runtime } from '../platform/contract.ts';
import { peopleAuth } from './auth-services.ts';
import { CLIENT_AUTH_METHODS } from './oauth-client-credentials.ts';
import { REGISTRATION_PATH } from './oauth-registration.ts';

const NOT_OURS = [
  'token_endpoint_auth_signing_alg_values_supported',
  'introspection_endpoint_auth_signing_alg_values_supported',
  'revocation_endpoint_auth_signing_alg_values_supported',
  'dpop_signing_alg_values_supported',
];

export async function authorizationServerMetadata(runtime: Runtime): Promise<Record<string, unknown>> {
  const metadata: Record<string, unknown> = { ...(await runtime.use(peopleAuth).api.getOAuthServerConfig()) };
  for (const name of NOT_OURS) delete metadata[name];
  return {
    ...metadata,
    registration_endpoint: `${runtime.options.publicUrl}${REGISTRATION_PATH}`,
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    // Introspection tells about tokens: only a client that can prove it with a secret may ask.
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS.filter((method) => method !== 'none'),
    // A public client may end its own tokens by its id (RFC 7009 §2.1).
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
  };
}
