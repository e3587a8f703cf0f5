// The OAuth 2.0 authorization server, by Better Auth's oauth-provider plugin: authorization
// code + PKCE with consent, refresh-token rotation, client credentials, revocation (RFC 7009),
// introspection (RFC 7662) and metadata (RFC 8414). It shares the people and sessions of
// people-auth.ts, so the person consenting is the person signed in, with no second login
// system. What is ours: the tables' names (migration 0011_oauth), which account a grant acts
// in (the session's active account; a client's own account for client credentials), the
// sign-in and consent pages (oauth-pages.ts) and how tokens become principals (oauth-tokens.ts).
import { snakeCase } from '../platform/naming.ts';
import { betterAuthColumn } from './better-auth-columns.ts';
import { oauthProvider } from '@better-auth/oauth-provider';
import type { SecretBox } from '../platform/secret-box.ts';
import { newId } from '../platform/ids.ts';
import type { Registry } from '../platform/contract.ts';

/** Token prefixes: the gate tells an OAuth token from an API key (`fl_`) or a session by them; secret scanners too. */
export const OAUTH_ACCESS_TOKEN_PREFIX = 'flo_at_';
export const OAUTH_REFRESH_TOKEN_PREFIX = 'flo_rt_';
export const OAUTH_CLIENT_SECRET_PREFIX = 'flo_cs_';
/** Scope a client asks for to receive a refresh token. */
export const OFFLINE_ACCESS = 'offline_access';
/** RFC 8414 metadata: at the root, and at the root plus the issuer's path. */
export const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';
export const OAUTH_SIGN_IN_PATH = '/oauth/sign-in';
export const OAUTH_CONSENT_PATH = '/oauth/consent';
export const ACCESS_TOKEN_SECONDS = 3600;

export interface OAuthProviderOptions {
  publicUrl: string;
  /** Every scope a client may be given (oauthScopes). */
  scopes: readonly string[];
  /**
   * Client secrets are stored encrypted with the server key: Better
   * Auth needs them back only to sign ID tokens, which we do not issue.
   */
  secrets: SecretBox;
  /** RFC 8707 resource indicators a token may be asked for (the MCP server's URL: MCP clients always name it). */
  resources?: readonly string[];
}

/**
 * The scopes an OAuth client may hold: every scope of the API but
 * the wildcards, which stay with API keys, and offline_access.
 */
export const oauthScopes = (registry: Registry) => [
  ...registry.scopes().filter((scope) => !scope.endsWith(':*')),
  OFFLINE_ACCESS,
];

const TABLES: Record<string, string> = {
  oauthClient: 'oauth_clients',
  oauthResource: 'oauth_resources',
  oauthClientResource: 'oauth_client_resources',
  oauthRefreshToken: 'oauth_refresh_tokens',
  oauthAccessToken: 'oauth_access_tokens',
  oauthConsent: 'oauth_consents',
  oauthClientAssertion: 'oauth_client_assertions',
};

/** Better Auth's camelCase models and fields -> our snake_case tables and columns; its "user" is our person. */
function ourNaming(schema: Record<string, { fields: Record<string, unknown> }>) {
  return Object.fromEntries(
    Object.entries(schema).map(([model, { fields }]) => [
      model,
      {
        modelName: TABLES[model] ?? snakeCase(model),
        fields: Object.fromEntries(Object.keys(fields).map((field) => [field, betterAuthColumn(field)])),
      },
    ]),
  );
}

export function fieldlineOAuthProvider(options: OAuthProviderOptions) {
  const settings = {
    loginPage: `${options.publicUrl}${OAUTH_SIGN_IN_PATH}`,
    consentPage: `${options.publicUrl}${OAUTH_CONSENT_PATH}`,
    scopes: [...options.scopes],
    // Opaque tokens, verified by our own cached lookup; no JWT keys to manage, no ID tokens.
    disableJwtPlugin: true,
    storeClientSecret: {
      encrypt: async (secret: string) => options.secrets.encrypt(secret),
      decrypt: async (sealed: string) => options.secrets.decrypt(sealed),
    },
    storeTokens: 'hashed' as const,
    prefix: {
      opaqueAccessToken: OAUTH_ACCESS_TOKEN_PREFIX,
      refreshToken: OAUTH_REFRESH_TOKEN_PREFIX,
      clientSecret: OAUTH_CLIENT_SECRET_PREFIX,
    },
    generateClientId: () => newId('oac'),
    // Every app may ask for any of our resources; the token is the same opaque token either way.
    resources: [...(options.resources ?? [])],
    enforcePerClientResources: false,
    accessTokenExpiresIn: ACCESS_TOKEN_SECONDS,
    m2mAccessTokenExpiresIn: ACCESS_TOKEN_SECONDS,
    // Clients belong to the account that registered them (managed by /v1/oauth/clients).
    clientReference: ({ session }: { session?: Record<string, unknown> }) =>
      (session?.activeAccountId as string | undefined) ?? undefined,
    postLogin: {
      page: `${options.publicUrl}${OAUTH_CONSENT_PATH}`,
      // A grant acts in the account the person's session acts in; they switch account first to grant another.
      // A person in no account is sent to the consent page, which tells them so.
      consentReferenceId: ({ session }: { session: Record<string, unknown> }) =>
        (session.activeAccountId as string | null) ?? undefined,
      shouldRedirect: ({ session }: { session: Record<string, unknown> }) => !session.activeAccountId,
    },
  };
  const plugin = oauthProvider(settings);
  return oauthProvider({ ...settings, schema: ourNaming(plugin.schema as never) as never });
}
