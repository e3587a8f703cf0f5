// Dynamic client registration (RFC 7591), what MCP clients do before they ask a person for
// access: anyone may register an app, so a registration gives nothing by itself. It belongs to no
// account (no client credentials, no scopes of its own to use), it is public (PKCE, no secret)
// or confidential (a secret answered once, stored sealed), PKCE is required either way, its
// redirect URIs are https or loopback http (RFC 8252 §7.3), few and bounded, and one address may
// register only so many per hour. What a token of it may do is what a person then allows on the
// consent page, as always capped by their role; the consent page says the app named itself.
import { z } from 'zod';
import { systemQuery } from '../db/system-query.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { ApiResult, OperationCall } from '../platform/api/operation.ts';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { rateLimiter } from '../limits/limits-services.ts';
import { newClientSecret, RedirectUri, WebUri } from './oauth-client-shapes.ts';
import { OAUTH_CLIENT_SECRET_PREFIX, oauthScopes } from './oauth-provider.ts';

export const REGISTRATION_PATH = '/v1/auth/oauth2/register';
/** Registrations one IP address may make per hour. */
export const REGISTRATIONS_PER_ADDRESS = { limit: 20, windowSeconds: 3600 };
export const MAX_REDIRECT_URIS = 10;
/** What the row says of a client anyone registered (shown on the consent page). */
export const SELF_REGISTERED = { registration: 'dynamic' };

const RegistrationRequest = z.object({
  redirect_uris: z.array(RedirectUri).min(1).max(MAX_REDIRECT_URIS),
  token_endpoint_auth_method: z
    .enum(['none', 'client_secret_basic', 'client_secret_post'])
    .default('client_secret_basic')
    .describe('`none`: a public client (PKCE only). Confidential clients may later use either secret method.'),
  grant_types: z
    .array(z.enum(['authorization_code', 'refresh_token']))
    .min(1)
    .max(2)
    .default(['authorization_code'])
    .refine((grants) => grants.includes('authorization_code'), 'must include authorization_code')
    .describe('Client credentials are for apps an account registers itself (/v1/oauth/clients).'),
  response_types: z.array(z.literal('code')).min(1).max(1).default(['code']),
  client_name: z.string().trim().min(1).max(200).optional(),
  client_uri: WebUri.optional(),
  scope: z
    .string()
    .max(8000)
    .optional()
    .describe('Space-separated scopes the app may later ask a person for; all OAuth scopes when absent.'),
});

const RegistrationResponse = RegistrationRequest.extend({
  client_id: z.string(),
  client_secret: z.string().optional().describe('Confidential clients only; shown once.'),
  client_id_issued_at: z.int(),
  client_secret_expires_at: z.int().optional().describe('0: the secret does not expire.'),
  scope: z.string(),
});

const registrationError = (error: 'invalid_redirect_uri' | 'invalid_client_metadata', description: string) => ({
  response: Response.json({ error, error_description: description }, { status: 400 }),
});

async function register(call: OperationCall<unknown, unknown>): Promise<ApiResult> {
  const { runtime, clientIp } = call;
  const allowed = await runtime
    .use(rateLimiter)
    .consume('oauth_registration', clientIp ?? 'unknown', REGISTRATIONS_PER_ADDRESS);
  if (!allowed.allowed)
    throw new ApiError(
      'rate_limited',
      `Too many app registrations from this address. Retry after ${allowed.resetSeconds} s.`,
      {
        headers: { 'Retry-After': String(allowed.resetSeconds) },
      },
    );
  let json: unknown;
  try {
    json = JSON.parse(await call.request!.text());
  } catch {
    return registrationError('invalid_client_metadata', 'The body must be a JSON object of client metadata');
  }
  const parsed = RegistrationRequest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join('.');
    const error = issue.path[0] === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata';
    return registrationError(error, `${where || 'body'}: ${issue.message}`);
  }
  const body = parsed.data;
  const known = oauthScopes(runtime.registry);
  const scopes = body.scope === undefined ? known : [...new Set(body.scope.split(' ').filter(Boolean))];
  const unknown = scopes.filter((scope) => !known.includes(scope));
  if (unknown.length || scopes.length === 0)
    return registrationError('invalid_client_metadata', `scope: unknown scopes ${unknown.join(' ') || '(none given)'}`);
  const clientId = newId('oac');
  const secret = body.token_endpoint_auth_method === 'none' ? null : newClientSecret();
  const [row] = await systemQuery(runtime.db, {
    sql: `INSERT INTO oauth_clients (id, client_id, client_secret, reference_id, name, uri, redirect_uris, scopes,
            client_credentials_scopes, grant_types, response_types, token_endpoint_auth_method, allowed_origins,
            application_type, require_pkce, disabled, metadata, created_at, updated_at)
          VALUES ($1, $1, $2, NULL, $3, $4, $5::jsonb, $6::jsonb, '[]'::jsonb, $7::jsonb, '["code"]'::jsonb, $8,
            '{}'::text[], 'web', true, false, $9::jsonb, now(), now())
          RETURNING created_at`,
    parameters: [
      clientId,
      secret && runtime.secrets.encrypt(secret),
      body.client_name ?? null,
      body.client_uri ?? null,
      JSON.stringify(body.redirect_uris),
      JSON.stringify(scopes),
      JSON.stringify(body.grant_types),
      body.token_endpoint_auth_method,
      JSON.stringify(SELF_REGISTERED),
    ],
  });
  const answer = {
    client_id: clientId,
    ...(secret && { client_secret: `${OAUTH_CLIENT_SECRET_PREFIX}${secret}`, client_secret_expires_at: 0 }),
    client_id_issued_at: Math.floor(new Date(row.created_at).getTime() / 1000),
    ...body,
    scope: scopes.join(' '),
  };
  return { response: Response.json(answer, { status: 201, headers: { 'Cache-Control': 'no-store' } }) };
}

export const registrationOperation = defineOperation({
  tag: 'OAuth',
  method: 'post',
  path: REGISTRATION_PATH,
  operationId: 'registerOAuthClientDynamically',
  summary: 'Register an app yourself (RFC 7591)',
  description:
    'Dynamic client registration, as MCP clients use it. The app belongs to no account and can do nothing until a ' +
    'person allows it on the consent page (and then no more than their role). Redirect URIs: https, or http on ' +
    `localhost/127.0.0.1/[::1] only; at most ${MAX_REDIRECT_URIS}. PKCE (S256) is required. ` +
    `At most ${REGISTRATIONS_PER_ADDRESS.limit} registrations per address per hour. Errors are RFC 7591's.`,
  scope: null,
  authentication: 'none',
  bucket: 'write',
  sdk: { excluded: 'an OAuth 2.0 protocol endpoint: use an OAuth client library' },
  text: { schema: RegistrationRequest, mediaType: 'application/json' },
  successStatus: 201,
  responseMediaType: 'application/json',
  response: RegistrationResponse,
  handle: register,
});
