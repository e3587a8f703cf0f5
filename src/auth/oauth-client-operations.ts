// /v1/oauth/clients: the apps an account registers to call Fieldline for other accounts (the
// authorization code grant) or for itself (client credentials). We write the rows Better Auth's
// oauth-provider reads (its client creation needs a person's session; our callers may be API
// keys), always within the caller's account: another account's client is a 404. The secret is
// answered once, at creation and at rotation. Changing or removing a client reaches every node's
// token cache by NOTIFY.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Operation } from '../platform/api/operation.ts';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import { CREDENTIAL_CHANGES_CHANNEL } from './api-keys.ts';
import { allowedOrigins, oauthTokenVerifier } from './auth-services.ts';
import { OAUTH_CLIENT_SECRET_PREFIX, OFFLINE_ACCESS, oauthScopes } from './oauth-provider.ts';
import { BrowserOrigin } from './account-operations.ts';
import type { Runtime, Registry } from '../platform/contract.ts';

export const MAX_CLIENTS_PER_ACCOUNT = 100;

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
const AllowedOrigins = z
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
const WithSecret = OAuthClient.extend({
  client_secret: z.string().nullable().describe('Shown once. Absent (null) for public clients.'),
});

const present = (row: Record<string, any>) => ({
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

const COLUMNS =
  'client_id, name, uri, token_endpoint_auth_method, redirect_uris, scopes, allowed_origins, ' +
  'client_credentials_scopes, disabled, created_at, updated_at';
/**
 * 256 random bits; answered once with its prefix, stored sealed
 * (Better Auth compares the unsealed value in constant time).
 */
export const newClientSecret = () => randomBytes(32).toString('base64url');
const clientChangeNotice = (clientId: string) => ({
  sql: 'SELECT pg_notify($1, $2)',
  parameters: [CREDENTIAL_CHANGES_CHANNEL, `oauth-client:${clientId}`],
});

/**
 * A credential gives an app only what it holds itself (as for API keys), and changes only apps within its own reach.
 */
function assertWithinCaller(principal: Principal, scopes: readonly string[], what: string): void {
  const beyond = scopes.filter((scope) => scope !== OFFLINE_ACCESS && !hasScope(principal, scope));
  if (beyond.length)
    throw new ApiError('insufficient_scope', `${what}: your own credential lacks ${beyond.join(', ')}`, {
      scopes: beyond,
    });
}

/** The grants a client may use and the response types that go with them. */
function grantsFor(redirectUris: readonly string[], clientCredentials: boolean) {
  const grants = [
    ...(redirectUris.length ? ['authorization_code', 'refresh_token'] : []),
    ...(clientCredentials ? ['client_credentials'] : []),
  ];
  return { grants, responseTypes: redirectUris.length ? ['code'] : [] };
}

/** offline_access asks for refresh tokens, which client credentials never get. */
const clientCredentialScopes = (scopes: readonly string[]) => scopes.filter((scope) => scope !== OFFLINE_ACCESS);

/** An app's allowed origins may have changed: this node's CORS preflight directory reloads. */
const originsChanged = (runtime: Runtime) => runtime.find(allowedOrigins)?.invalidate();

export function oauthClientOperations(registry: Registry): Operation[] {
  const scopes = oauthScopes(registry);
  const Scope = z
    .string()
    .refine(
      (scope) => scopes.includes(scope),
      'Unknown scope (see the scopes in /.well-known/oauth-authorization-server)',
    );
  const ScopeList = z
    .array(Scope)
    .min(1)
    .max(200)
    .meta({ examples: [['read:customers', 'write:jobs']] })
    .transform((list) => [...new Set(list)]);

  async function ownClient(runtime: Runtime, accountId: string, clientId: string) {
    const [row] = await systemQuery(runtime.db, {
      sql: `SELECT ${COLUMNS} FROM oauth_clients WHERE client_id = $1 AND reference_id = $2`,
      parameters: [clientId, accountId],
    });
    if (!row) throw new ApiError('not_found', `No such OAuth client: '${clientId}'`);
    return row;
  }

  /** The caller's own app, which it may change only if it holds every scope the app has. */
  async function clientWithinReach(runtime: Runtime, principal: Principal, clientId: string, what: string) {
    const row = await ownClient(runtime, principal.accountId, clientId);
    assertWithinCaller(principal, row.scopes ?? [], `Only a credential holding every scope of this app may ${what} it`);
    return row;
  }

  return [
    defineOperation({
      method: 'post',
      path: '/v1/oauth/clients',
      operationId: 'createOAuthClient',
      tag: 'OAuth',
      scope: 'write:oauth-clients',
      bucket: 'write',
      summary: 'Register an OAuth app',
      description:
        `The answer holds the client secret (confidential clients) once: store it then. ` +
        `Public clients must use PKCE (S256). At most ${MAX_CLIENTS_PER_ACCOUNT} clients per account.`,
      body: z
        .strictObject({
          name: z.string().trim().min(1).max(200),
          uri: WebUri.optional(),
          type: z.enum(['confidential', 'public']).default('confidential'),
          token_endpoint_auth_method: z
            .enum(['client_secret_basic', 'client_secret_post'])
            .default('client_secret_basic')
            .describe(
              'Confidential clients: how they say they send their secret (RFC 7591). The token, introspection and ' +
                'revocation endpoints accept either method from any confidential client.',
            ),
          redirect_uris: z
            .array(RedirectUri)
            .max(20)
            .default([])
            .meta({ examples: [['https://app.example.com/oauth/callback']] }),
          scopes: ScopeList,
          allowed_origins: AllowedOrigins.default([]),
          client_credentials: z
            .boolean()
            .default(false)
            .describe('Confidential clients only: may also act as this account itself, with these scopes.'),
        })
        .refine((body) => !(body.type === 'public' && body.client_credentials), {
          path: ['client_credentials'],
          message: 'Public clients cannot use client credentials',
        })
        .refine((body) => body.redirect_uris.length > 0 || body.client_credentials, {
          path: ['redirect_uris'],
          message: 'Give at least one redirect URI, or enable client_credentials',
        }),
      response: WithSecret,
      successStatus: 201,
      async handle({ runtime, principal, body }) {
        assertWithinCaller(principal, body.scopes, 'An app cannot be given scopes beyond yours');
        const [{ count }] = await systemQuery(runtime.db, {
          sql: 'SELECT count(*)::int AS count FROM oauth_clients WHERE reference_id = $1',
          parameters: [principal.accountId],
        });
        if (count >= MAX_CLIENTS_PER_ACCOUNT)
          throw new ApiError(
            'conflict',
            `This account already has ${MAX_CLIENTS_PER_ACCOUNT} OAuth clients: delete one first`,
          );
        const { grants, responseTypes } = grantsFor(body.redirect_uris, body.client_credentials);
        const clientId = newId('oac');
        const secret = body.type === 'public' ? null : newClientSecret();
        const [row] = await systemQuery(runtime.db, {
          sql: `INSERT INTO oauth_clients (id, client_id, client_secret, reference_id, name, uri, redirect_uris, scopes,
                  client_credentials_scopes, grant_types, response_types, token_endpoint_auth_method, allowed_origins,
                  application_type, require_pkce, disabled, created_at, updated_at)
                VALUES ($1, $1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11,
                  $12::text[], 'web', true, false, now(), now())
                RETURNING ${COLUMNS}`,
          parameters: [
            clientId,
            secret && runtime.secrets.encrypt(secret),
            principal.accountId,
            body.name,
            body.uri ?? null,
            JSON.stringify(body.redirect_uris),
            JSON.stringify(body.scopes),
            JSON.stringify(body.client_credentials ? clientCredentialScopes(body.scopes) : []),
            JSON.stringify(grants),
            JSON.stringify(responseTypes),
            body.type === 'public' ? 'none' : body.token_endpoint_auth_method,
            body.allowed_origins,
          ],
        });
        if (body.allowed_origins.length) originsChanged(runtime);
        return {
          status: 201,
          body: { data: { ...present(row), client_secret: secret && `${OAUTH_CLIENT_SECRET_PREFIX}${secret}` } },
        };
      },
    }),
    defineOperation({
      method: 'get',
      path: '/v1/oauth/clients',
      operationId: 'listOAuthClients',
      tag: 'OAuth',
      scope: 'read:oauth-clients',
      bucket: 'read',
      summary: 'List your OAuth apps',
      description: `Newest first; an account has at most ${MAX_CLIENTS_PER_ACCOUNT}. Secrets are never listed.`,
      response: z.array(OAuthClient),
      async handle({ runtime, principal }) {
        const rows = await systemQuery(runtime.db, {
          sql: `SELECT ${COLUMNS} FROM oauth_clients WHERE reference_id = $1 ORDER BY created_at DESC, client_id DESC`,
          parameters: [principal.accountId],
        });
        return { status: 200, body: { data: rows.map(present) } };
      },
    }),
    defineOperation({
      method: 'get',
      path: '/v1/oauth/clients/{id}',
      operationId: 'getOAuthClient',
      tag: 'OAuth',
      scope: 'read:oauth-clients',
      bucket: 'read',
      summary: 'Retrieve an OAuth app',
      params: { id: { pattern: '^oac_' } },
      response: OAuthClient,
      async handle({ runtime, principal, params }) {
        return { status: 200, body: { data: present(await ownClient(runtime, principal.accountId, params.id)) } };
      },
    }),
    defineOperation({
      method: 'patch',
      path: '/v1/oauth/clients/{id}',
      operationId: 'updateOAuthClient',
      tag: 'OAuth',
      scope: 'write:oauth-clients',
      bucket: 'write',
      summary: 'Update an OAuth app',
      description:
        'Removing a scope or an allowed origin applies to the tokens already issued, at once; ' +
        'disabling the app stops all its tokens.',
      params: { id: { pattern: '^oac_' } },
      body: z.strictObject({
        name: z.string().trim().min(1).max(200).optional(),
        uri: WebUri.nullable().optional(),
        redirect_uris: z.array(RedirectUri).max(20).optional(),
        scopes: ScopeList.optional(),
        allowed_origins: AllowedOrigins.optional(),
        disabled: z.boolean().optional(),
      }),
      response: OAuthClient,
      async handle({ runtime, principal, params, body }) {
        const current = await clientWithinReach(runtime, principal, params.id, 'change');
        if (body.scopes) assertWithinCaller(principal, body.scopes, 'An app cannot be given scopes beyond yours');
        const clientCredentials = (current.client_credentials_scopes ?? []).length > 0;
        if (body.redirect_uris?.length === 0 && !clientCredentials) {
          throw new ApiError('validation_failed', 'An app without client credentials needs at least one redirect URI', {
            errors: [{ path: 'redirect_uris', message: 'must not be empty' }],
          });
        }
        const scopes = body.scopes ?? current.scopes;
        const { grants, responseTypes } = grantsFor(
          body.redirect_uris ?? current.redirect_uris ?? [],
          clientCredentials,
        );
        const [, [row]] = await systemTransaction(runtime.db, [
          clientChangeNotice(params.id),
          {
            sql: `UPDATE oauth_clients SET name = coalesce($2, name), uri = CASE WHEN $3::boolean THEN $4 ELSE uri END,
                    redirect_uris = coalesce($5::jsonb, redirect_uris), scopes = $6::jsonb,
                    client_credentials_scopes = CASE WHEN $8::boolean THEN $9::jsonb ELSE '[]'::jsonb END,
                    grant_types = $10::jsonb, response_types = $11::jsonb, disabled = coalesce($7, disabled),
                    allowed_origins = coalesce($12::text[], allowed_origins), updated_at = now()
                  WHERE client_id = $1 RETURNING ${COLUMNS}`,
            parameters: [
              params.id,
              body.name ?? null,
              body.uri !== undefined,
              body.uri ?? null,
              body.redirect_uris ? JSON.stringify(body.redirect_uris) : null,
              JSON.stringify(scopes),
              body.disabled ?? null,
              clientCredentials,
              JSON.stringify(clientCredentialScopes(scopes)),
              JSON.stringify(grants),
              JSON.stringify(responseTypes),
              body.allowed_origins ?? null,
            ],
          },
        ]);
        runtime.find(oauthTokenVerifier)?.forget('client', params.id);
        originsChanged(runtime);
        return { status: 200, body: { data: present(row) } };
      },
    }),
    defineOperation({
      method: 'delete',
      path: '/v1/oauth/clients/{id}',
      operationId: 'deleteOAuthClient',
      tag: 'OAuth',
      scope: 'write:oauth-clients',
      bucket: 'write',
      summary: 'Delete an OAuth app',
      description: 'Every grant and token of the app ends with it, on every node at once.',
      params: { id: { pattern: '^oac_' } },
      response: z.object({ id: z.string(), object: z.literal('oauth_client'), deleted: z.literal(true) }),
      async handle({ runtime, principal, params }) {
        await clientWithinReach(runtime, principal, params.id, 'delete');
        // Tokens and grants go by ON DELETE CASCADE; the token table's trigger tells every node.
        await systemTransaction(runtime.db, [
          clientChangeNotice(params.id),
          { sql: 'DELETE FROM oauth_clients WHERE client_id = $1', parameters: [params.id] },
        ]);
        runtime.find(oauthTokenVerifier)?.forget('client', params.id);
        return { status: 200, body: { data: { id: params.id, object: 'oauth_client', deleted: true } } };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/v1/oauth/clients/{id}/rotate-secret',
      operationId: 'rotateOAuthClientSecret',
      tag: 'OAuth',
      scope: 'write:oauth-clients',
      bucket: 'write',
      summary: "Rotate an OAuth app's secret",
      description:
        'The old secret stops working at once; tokens already issued stay valid. The new secret is answered once.',
      params: { id: { pattern: '^oac_' } },
      response: WithSecret,
      async handle({ runtime, principal, params }) {
        const current = await clientWithinReach(runtime, principal, params.id, 'rotate the secret of');
        if (current.token_endpoint_auth_method === 'none')
          throw new ApiError('conflict', 'A public client has no secret');
        const secret = newClientSecret();
        const [row] = await systemQuery(runtime.db, {
          sql: `UPDATE oauth_clients SET client_secret = $2, updated_at = now() WHERE client_id = $1
                RETURNING ${COLUMNS}`,
          parameters: [params.id, runtime.secrets.encrypt(secret)],
        });
        return {
          status: 200,
          body: { data: { ...present(row), client_secret: `${OAUTH_CLIENT_SECRET_PREFIX}${secret}` } },
        };
      },
    }),
  ];
}
