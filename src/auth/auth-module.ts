// Who may call, and as whom: accounts and their members (users), people who sign in and their
// sessions (Better Auth), API keys, the OAuth 2.0 server for third-party apps, member roles as
// scopes, and sign-ins in the audit trail. It provides the HTTP layer's credential check and the
// directory of browser origins accounts and apps allow.
import { defineModule, provide } from '../platform/api/module.ts';
import { credentials, originDirectory } from '../http/http-services.ts';
import { accountOperations } from './account-operations.ts';
import { AllowedOriginsDirectory } from './allowed-origins.ts';
import { ApiKeyVerifier } from './api-keys.ts';
import { apiKeys } from './api-keys-resource.ts';
import { AUTH_MIGRATIONS } from './auth-migrations.ts';
import {
  allowedOrigins,
  apiKeyVerifier,
  credentialVersions,
  oauthTokenVerifier,
  peopleAuth,
  sessionVerifier,
} from './auth-services.ts';
import { CredentialVersions } from './credential-versions.ts';
import { connectedAppOperations } from './connected-app-operations.ts';
import { credentialDispatch } from './credential-dispatch.ts';
import { oauthClientOperations } from './oauth-client-operations.ts';
import { authorizationServerMetadata } from './oauth-metadata.ts';
import { oauthOperations } from './oauth-operations.ts';
import { registrationOperation } from './oauth-registration.ts';
import { oauthPageOperations } from './oauth-page-operations.ts';
import { describeScope } from './oauth-pages.ts';
import { OAUTH_METADATA_PATH, oauthScopes } from './oauth-provider.ts';
import { OAuthTokenVerifier } from './oauth-tokens.ts';
import { createPeopleAuth } from './people-auth.ts';
import { checkRolePolicies, roleCatalogue } from './roles.ts';
import { sessionOperations } from './session-operations.ts';
import { SessionVerifier } from './session-verifier.ts';
import { announceSessionChange } from './session-changes.ts';
import { signInOperations } from './sign-in-operations.ts';
import { users } from './users-resource.ts';
import type { Registry } from '../platform/contract.ts';

function oauthSecurityScheme(registry: Registry) {
  const scopes = Object.fromEntries(oauthScopes(registry).map((scope) => [scope, describeScope(scope)]));
  return {
    type: 'oauth2',
    description:
      `Third-party apps: register at /v1/oauth/clients; server metadata at ${OAUTH_METADATA_PATH}. ` +
      `Access tokens start with \`flo_at_\`.`,
    flows: {
      authorizationCode: {
        authorizationUrl: '/v1/auth/oauth2/authorize',
        tokenUrl: '/v1/auth/oauth2/token',
        refreshUrl: '/v1/auth/oauth2/token',
        scopes,
      },
      clientCredentials: { tokenUrl: '/v1/auth/oauth2/token', scopes },
    },
  };
}

export const authModule = defineModule({
  name: 'auth',
  resources: [users, apiKeys],
  scopes: ['read:account', 'write:account', 'read:oauth-clients', 'write:oauth-clients'],
  migrations: AUTH_MIGRATIONS,
  check: checkRolePolicies,
  operations: (registry) => [
    ...accountOperations,
    ...signInOperations,
    ...sessionOperations,
    ...oauthClientOperations(registry),
    ...connectedAppOperations,
    ...oauthOperations,
    registrationOperation,
    ...oauthPageOperations,
  ],
  document: {
    tags: {
      Account: 'Your account (tenant): name, plan, allowed browser origins.',
      Auth: 'People: sign up, sign in, sessions, password reset, invitations.',
      OAuth: 'OAuth 2.0 apps: the authorization server, registered apps and the apps members connected.',
    },
    securitySchemes: (registry) => ({ oauth2: oauthSecurityScheme(registry) }),
    scopeSecurity: (scope) => ({ oauth2: [scope] }),
    extensions: (registry) => ({ 'x-fieldline-roles': roleCatalogue(registry) }),
  },
  documents: [
    // RFC 8414: at the root, and at the root plus the issuer's path (/v1/auth), where clients look first.
    ...[OAUTH_METADATA_PATH, `${OAUTH_METADATA_PATH}/v1/auth`].map((path) => ({
      path,
      json: authorizationServerMetadata,
    })),
  ],
  provides: [
    provide(credentialVersions, (runtime) => new CredentialVersions(runtime.options.redis, runtime.logger)),
    provide(
      apiKeyVerifier,
      (runtime) =>
        new ApiKeyVerifier(runtime.db, {
          cacheTtlMs: runtime.options.credentialCacheTtlMs,
          logger: runtime.logger,
          versions: runtime.use(credentialVersions),
        }),
    ),
    provide(
      peopleAuth,
      (runtime) =>
        createPeopleAuth(runtime.db, {
          publicUrl: runtime.options.publicUrl,
          secrets: runtime.secrets,
          logger: runtime.logger,
          onSessionsEnded: (personId) =>
            announceSessionChange(runtime.db, runtime.find(sessionVerifier), 'person', personId),
          oauth: { scopes: oauthScopes(runtime.registry) },
        }),
      () => ({}),
    ),
    provide(
      sessionVerifier,
      (runtime) =>
        new SessionVerifier(runtime.db, runtime.use(peopleAuth), runtime.registry, {
          cacheTtlMs: runtime.options.credentialCacheTtlMs,
          logger: runtime.logger,
          versions: runtime.use(credentialVersions),
        }),
    ),
    provide(
      oauthTokenVerifier,
      (runtime) =>
        new OAuthTokenVerifier(runtime.db, runtime.registry, {
          cacheTtlMs: runtime.options.credentialCacheTtlMs,
          logger: runtime.logger,
          versions: runtime.use(credentialVersions),
        }),
    ),
    provide(
      credentials,
      (runtime) =>
        credentialDispatch(runtime.use(apiKeyVerifier), runtime.use(oauthTokenVerifier), runtime.use(sessionVerifier)),
      () => ({}),
    ),
    provide(
      allowedOrigins,
      (runtime) => new AllowedOriginsDirectory(runtime.db),
      () => ({}),
    ),
    provide(
      originDirectory,
      (runtime) => runtime.use(allowedOrigins),
      () => ({}),
    ),
  ],
});
