// What an OAuth client is on the wire and in the table: the URIs and origins it may name, its
// answer shape, the columns it is read from, and how its secret is made. Shared by staff's
// /v1/oauth/clients and dynamic registration (oauth-registration.ts).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BrowserOrigin } from './account-operations.ts';

/** https anywhere; http only on the loopback interface (native and local apps, RFC 8252 §7.3). */
// Zod runs refinements even when the URL check already failed: an unparsable value is left to that check's message.
export const RedirectUri = z
  .url()
  .max(2000)
  .refine((value) => {
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    if (url.hash) return false;
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
    );
  }, 'Expected an https URL (http only for localhost), without a fragment');

/** As for redirect URIs: https anywhere, http only on loopback (a local development server). */
const AppOrigin = BrowserOrigin.refine((value) => {
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}, 'Expected an https origin (http only for localhost)');
export const AllowedOrigins = z
  .array(AppOrigin)
  .max(20)
  .transform((list) => [...new Set(list)])
  .describe('Browser origins (scheme://host[:port]) a single-page app calls the API from with its tokens (CORS).');

export const WebUri = z
  .url()
  .max(2000)
  .refine((value) => /^https?:\/\//.test(value), 'Expected an http(s) URL');

export const OAuthClient = z.object({
  id: z.string().describe('The client_id.'),
  object: z.literal('oauth_client'),
  name: z.string(),
  uri: z.string().nullable(),
  type: z
    .enum(['confidential', 'public'])
    .describe('Confidential clients authenticate with their secret; public ones (mobile, single-page) with PKCE only.'),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']),
  redirect_uris: z.array(z.string()),
  scopes: z.array(z.string()),
  allowed_origins: z
    .array(z.string())
    .describe("Browser origins that may call the API with this app's tokens, besides those the account allows."),
  client_credentials: z
    .boolean()
    .describe('Whether the client may use the client credentials grant to act as this account itself.'),
  disabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export const WithSecret = OAuthClient.extend({
  client_secret: z.string().nullable().describe('Shown once. Absent (null) for public clients.'),
});

export const presentClient = (row: Record<string, any>) => ({
  id: row.client_id,
  object: 'oauth_client' as const,
  name: row.name ?? row.client_id,
  uri: row.uri ?? null,
  type: row.token_endpoint_auth_method === 'none' ? ('public' as const) : ('confidential' as const),
  token_endpoint_auth_method: row.token_endpoint_auth_method,
  redirect_uris: row.redirect_uris ?? [],
  scopes: row.scopes ?? [],
  allowed_origins: row.allowed_origins ?? [],
  client_credentials: (row.client_credentials_scopes ?? []).length > 0,
  disabled: Boolean(row.disabled),
  created_at: row.created_at,
  updated_at: row.updated_at,
});

export const CLIENT_COLUMNS =
  'client_id, name, uri, token_endpoint_auth_method, redirect_uris, scopes, allowed_origins, ' +
  'client_credentials_scopes, disabled, created_at, updated_at';
/**
 * 256 random bits; answered once with its prefix, stored sealed
 * (Better Auth compares the unsealed value in constant time).
 */
export const newClientSecret = () => randomBytes(32).toString('base64url');
