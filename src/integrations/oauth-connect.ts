// The OAuth 2.0 connect flow of every connector (authorization code, RFC 6749; PKCE S256,
// RFC 7636, where the provider takes it):
//   authorize: a random `state` (kept only as its SHA-256, bound to the account, the member or key
//              that started it and the provider, usable once within ten minutes) and a PKCE
//              verifier (sealed); the person is sent to the provider's consent page.
//              A per-member connector's flow (a calendar) is the signed-in member's own: the state
//              names them, and the connection made is theirs.
//   callback:  the state is consumed (a forged, replayed, expired or other provider's state is
//              refused before anything else), the code exchanged with the verifier, the
//              identity read with the new token, the tokens sealed, the integration connected.
import { refuseConnectInTestMode } from '../sandbox/test-mode-guards.ts';
import { randomBytes } from 'node:crypto';
import { sha256 } from '../platform/random-tokens.ts';
import { systemQuery } from '../db/system-query.ts';
import { ApiError } from '../platform/errors.ts';
import type { Principal } from '../platform/operations/principal.ts';
import type { Runtime } from '../platform/contract.ts';
import type { Row } from '../db/database.ts';
import type { Connector, OAuthClient } from './connector.ts';
import { saveConnected } from './integration-rows.ts';
import { integrationSettings } from './integration-settings.ts';
import { apiWithToken, exchangeCode, saveTokens, tokensFrom } from './token-store.ts';

/** How long a person has to consent. */
export const STATE_TTL_MS = 10 * 60_000;

const base64url = (bytes: Buffer) => bytes.toString('base64url');
const stateHash = (state: string) => sha256(`fieldline-integration-state:${state}`).toString('hex');

/** The connector's OAuth client, or a 409 naming what the server lacks. */
export function clientOrThrow(runtime: Runtime, connector: Connector): OAuthClient {
  const client = connector.oauth.client(integrationSettings(runtime));
  if (!client)
    throw new ApiError(
      'conflict',
      `${connector.title} is not configured on this server: its OAuth client id and secret are missing ` +
        '(see the README, Integrations)',
    );
  return client;
}

export const callbackUrl = (runtime: Runtime, connector: Connector) =>
  `${runtime.options.publicUrl.replace(/\/+$/, '')}/v1/integrations/${connector.provider}/callback`;

/** Who started the flow: the member, else the API key or OAuth client. */
const starterOf = (principal: Principal) =>
  principal.userId ?? principal.keyId ?? principal.oauthClientId ?? `account:${principal.accountId}`;

export interface AuthorizeRedirect {
  url: string;
  expiresAt: string;
}

/** Starts a connect flow: the provider's consent URL, with a fresh state and PKCE challenge. */
export async function startConnect(
  runtime: Runtime,
  principal: Principal,
  connector: Connector,
): Promise<AuthorizeRedirect> {
  refuseConnectInTestMode(principal, connector.title);
  const memberId = connector.perMember ? principal.userId : null;
  if (connector.perMember && !memberId)
    throw new ApiError(
      'forbidden',
      `${connector.title} is each member's own: connect it signed in as the member (a session or a member's ` +
        'OAuth token), not with an API key',
    );
  const client = clientOrThrow(runtime, connector);
  const state = base64url(randomBytes(32));
  const verifier = connector.oauth.pkce ? base64url(randomBytes(48)) : null;
  const redirectUri = callbackUrl(runtime, connector);
  const expiresAt = new Date(Date.now() + STATE_TTL_MS).toISOString();
  // Old states go as new ones come: the table holds only flows under way.
  await systemQuery(runtime.db, {
    sql: `DELETE FROM integration_oauth_states WHERE expires_at < now() - interval '1 day'`,
    parameters: [],
  });
  await systemQuery(runtime.db, {
    sql: `INSERT INTO integration_oauth_states (state_hash, account_id, provider, started_by, code_verifier,
                                                redirect_uri, expires_at, member_id, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
    parameters: [
      stateHash(state),
      principal.accountId,
      connector.provider,
      starterOf(principal),
      verifier ? runtime.secrets.encrypt(verifier) : null,
      redirectUri,
      expiresAt,
      memberId ?? null,
    ],
  });
  const url = new URL(client.authorizeUrl);
  const params = {
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: connector.oauth.scopes.join(' '),
    state,
    ...(verifier ? { code_challenge: base64url(sha256(verifier)), code_challenge_method: 'S256' } : {}),
    ...connector.oauth.authorizeParams,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { url: url.toString(), expiresAt };
}

/** A callback refused: the page (or problem) says why; nothing was changed. */
export class ConnectRefused extends Error {}

interface StateRow {
  account_id: string;
  provider: string;
  started_by: string;
  code_verifier: string | null;
  redirect_uri: string;
  expires_at: unknown;
  member_id: string | null;
  [column: string]: unknown;
}

/** Consumes `state` (once): the flow it started, or a refusal saying why. */
async function consumeState(runtime: Runtime, connector: Connector, state: string): Promise<StateRow> {
  const hash = stateHash(state);
  const [row] = await systemQuery<StateRow>(runtime.db, {
    sql: `UPDATE integration_oauth_states SET used_at = now()
           WHERE state_hash = $1 AND used_at IS NULL
           RETURNING account_id, provider, started_by, code_verifier, redirect_uri, expires_at, member_id`,
    parameters: [hash],
  });
  if (!row) {
    const [used] = await systemQuery(runtime.db, {
      sql: 'SELECT 1 AS used FROM integration_oauth_states WHERE state_hash = $1',
      parameters: [hash],
    });
    throw new ConnectRefused(
      used
        ? 'This connect link has already been used. Start connecting again from Fieldline.'
        : 'This connect request was not started by Fieldline (unknown state). Start connecting again from Fieldline.',
    );
  }
  if (row.provider !== connector.provider)
    throw new ConnectRefused(`This connect request was started for another provider (${row.provider}).`);
  if (new Date(row.expires_at as string).getTime() < Date.now())
    throw new ConnectRefused('This connect request has expired (after 10 minutes). Start connecting again.');
  return row;
}

export interface CallbackQuery {
  state?: string;
  code?: string;
  error?: string;
  error_description?: string;
  /** Every parameter of the callback, for the connector's identity (QuickBooks' `realmId`). */
  params?: Readonly<Record<string, string>>;
}

/** Finishes a connect flow from the provider's redirect; answers the connected integration and its account. */
export async function finishConnect(
  runtime: Runtime,
  connector: Connector,
  query: CallbackQuery,
  caller: Principal | null = null,
): Promise<{ accountId: string; integration: Row }> {
  if (!query.state) throw new ConnectRefused('The provider sent no state: this is not an answer to a connect request.');
  const flow = await consumeState(runtime, connector, query.state);
  // A browser signed in to Fieldline finishes only its own account's flow, and only the member's who began it.
  if (caller && caller.accountId !== flow.account_id)
    throw new ConnectRefused(
      'This connect request was started in another Fieldline account than the one you are signed in to; ' +
        'nothing was connected. Switch accounts and start again.',
    );
  if (caller?.userId && flow.started_by.startsWith('usr_') && caller.userId !== flow.started_by)
    throw new ConnectRefused('This connect request was started by another member; nothing was connected.');
  if (query.error)
    throw new ConnectRefused(
      query.error === 'access_denied'
        ? `Access to ${connector.title} was not granted; nothing was connected.`
        : `${connector.title} refused the connection (${query.error.slice(0, 100)}).`,
    );
  if (!query.code) throw new ConnectRefused(`${connector.title} sent no authorization code.`);
  const client = clientOrThrow(runtime, connector);
  const verifier = flow.code_verifier ? runtime.secrets.decrypt(flow.code_verifier) : null;
  let answer;
  let identity;
  try {
    answer = await exchangeCode(client, query.code, flow.redirect_uri, verifier);
    const settings = integrationSettings(runtime);
    identity = await connector.identity(apiWithToken(answer.access_token), settings, query.params ?? {});
  } catch (error) {
    throw new ConnectRefused(`${connector.title} did not complete the connection: ${(error as Error).message}.`);
  }
  const memberId = flow.member_id ?? null;
  await saveTokens(runtime.db, runtime.secrets, flow.account_id, connector.provider, tokensFrom(answer), memberId);
  const integration = await saveConnected(runtime.db, flow.account_id, connector.provider, {
    memberId,
    identity: identity.identity,
    externalAccountId: identity.externalAccountId ?? null,
    scopes: answer.scope ? answer.scope.split(/\s+/).filter(Boolean) : connector.oauth.scopes,
    connectedBy: flow.started_by,
  });
  runtime.logger.info(
    { account: flow.account_id, provider: connector.provider, integration: integration.id, member: memberId },
    'integration connected',
  );
  return { accountId: flow.account_id, integration };
}
