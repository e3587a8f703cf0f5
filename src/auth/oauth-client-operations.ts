// /v1/oauth/clients: the apps an account registers to call Fieldline for other accounts (the
// authorization code grant) or for itself (client credentials). We write the rows Better Auth's
// oauth-provider reads (its client creation needs a person's session; our callers may be API
// keys), always within the caller's account: another account's client is a 404. The secret is
// answered once, at creation and at rotation. Changing or removing a client reaches every node's
// token cache by NOTIFY.
import { z } from 'zod';
import { systemQuery, systemTransaction } from '../db/system-query.ts';
import { auditStatement, changesOfBody } from '../audit/record-audit.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Operation } from '../platform/api/operation.ts';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { hasScope, type Principal } from '../platform/operations/principal.ts';
import { CREDENTIAL_CHANGES_CHANNEL } from './api-keys.ts';
import { allowedOrigins, oauthTokenVerifier } from './auth-services.ts';
import { OAUTH_CLIENT_SECRET_PREFIX, OFFLINE_ACCESS, oauthScopes } from './oauth-provider.ts';
import type { Runtime, Registry } from '../platform/contract.ts';
import {
  AllowedOrigins,
  CLIENT_COLUMNS,
  newClientSecret,
  OAuthClient,
  presentClient,
  RedirectUri,
  WebUri,
  WithSecret,
} from './oauth-client-shapes.ts';

export const MAX_CLIENTS_PER_ACCOUNT = 100;

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
      sql: `SELECT ${CLIENT_COLUMNS} FROM oauth_clients WHERE client_id = $1 AND reference_id = $2`,
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
        const [[row]] = await systemTransaction(runtime.db, [
          {
            sql: `INSERT INTO oauth_clients (id, client_id, client_secret, reference_id, name, uri, redirect_uris,
                  scopes, client_credentials_scopes, grant_types, response_types, token_endpoint_auth_method,
                  allowed_origins, application_type, require_pkce, disabled, created_at, updated_at)
                VALUES ($1, $1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11,
                  $12::text[], 'web', true, false, now(), now())
                RETURNING ${CLIENT_COLUMNS}`,
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
          },
          auditStatement(principal.accountId, {
            action: 'oauth_client.created',
            actor: principal,
            resourceType: 'oauth_client',
            resourceId: clientId,
            changes: changesOfBody(body),
          }),
        ]);
        if (body.allowed_origins.length) originsChanged(runtime);
        return {
          status: 201,
          body: { data: { ...presentClient(row), client_secret: secret && `${OAUTH_CLIENT_SECRET_PREFIX}${secret}` } },
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
          sql: `SELECT ${CLIENT_COLUMNS} FROM oauth_clients WHERE reference_id = $1
                ORDER BY created_at DESC, client_id DESC`,
          parameters: [principal.accountId],
        });
        return { status: 200, body: { data: rows.map(presentClient) } };
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
        return { status: 200, body: { data: presentClient(await ownClient(runtime, principal.accountId, params.id)) } };
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
                  WHERE client_id = $1 RETURNING ${CLIENT_COLUMNS}`,
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
          auditStatement(principal.accountId, {
            action: 'oauth_client.updated',
            actor: principal,
            resourceType: 'oauth_client',
            resourceId: params.id,
            changes: changesOfBody(body),
          }),
        ]);
        runtime.find(oauthTokenVerifier)?.forget('client', params.id);
        originsChanged(runtime);
        return { status: 200, body: { data: presentClient(row) } };
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
          auditStatement(principal.accountId, {
            action: 'oauth_client.deleted',
            actor: principal,
            resourceType: 'oauth_client',
            resourceId: params.id,
          }),
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
        const [[row]] = await systemTransaction(runtime.db, [
          {
            sql: `UPDATE oauth_clients SET client_secret = $2, updated_at = now() WHERE client_id = $1
                RETURNING ${CLIENT_COLUMNS}`,
            parameters: [params.id, runtime.secrets.encrypt(secret)],
          },
          auditStatement(principal.accountId, {
            action: 'oauth_client.secret_rotated',
            actor: principal,
            resourceType: 'oauth_client',
            resourceId: params.id,
            changes: { client_secret: null },
          }),
        ]);
        return {
          status: 200,
          body: { data: { ...presentClient(row), client_secret: `${OAUTH_CLIENT_SECRET_PREFIX}${secret}` } },
        };
      },
    }),
  ];
}
