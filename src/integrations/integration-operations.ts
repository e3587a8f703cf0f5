// The endpoints every connector gets, at /v1/integrations/{provider}/...: authorize and callback
// (the OAuth connect flow), status, DELETE (revoke and forget), sync, and send for mailboxes.
// A per-member connector's endpoints act on the caller's own connection; members limited to their
// own connections (technicians, dispatchers, office) manage only those, never the account's.
import { z } from 'zod';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { escapeHtml, page } from '../platform/api/html-page.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import { ApiError, notFound, validationFailed } from '../platform/errors.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import type { Runtime } from '../platform/contract.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { credentials } from '../http/http-services.ts';
import type { Connector } from './connector.ts';
import { CONNECTORS, connectorOf } from './connectors.ts';
import { markIntegration, readIntegration, readIntegrationById } from './integration-rows.ts';
import { MailboxSendInput, sendThroughMailbox } from './mailbox-send.ts';
import type { MailboxRelay } from './mailbox-relay.ts';
import { ConnectRefused, clientOrThrow, finishConnect, startConnect } from './oauth-connect.ts';
import { IntegrationStatus, statusOf } from './integration-status.ts';
import { ownConnectionsOnly } from './integrations-resource.ts';
import { apiWithToken, forgetTokens, loadTokens } from './token-store.ts';
import { queueSync, type SyncRunner } from './sync-runner.ts';

export const syncRunner = serviceKey<SyncRunner>('integration sync runner');
export const mailboxRelay = serviceKey<MailboxRelay>('mailbox relay');

const PROVIDERS = CONNECTORS.map((connector) => connector.provider);
const MAILBOXES = CONNECTORS.filter((connector) => connector.sendMail).map((connector) => connector.provider);
const providerParam = { provider: { enum: PROVIDERS } };
const common = { tag: 'Integration', collection: 'integrations', singular: 'integration' } as const;

function connectorOrThrow(provider: string): Connector {
  const connector = connectorOf(provider);
  if (!connector) throw notFound('integration provider', provider);
  return connector;
}

/**
 * Whose connection an endpoint acts on: the caller's own for a per-member connector, else the
 * account's (null), which members limited to their own connections may only read.
 */
function connectionOwner(principal: Principal, connector: Connector, change: boolean): string | null {
  if (connector.perMember) {
    if (!principal.userId)
      throw new ApiError(
        'forbidden',
        `${connector.title} is each member's own connection: call this signed in as the member, not with an API key`,
      );
    return principal.userId;
  }
  if (change && ownConnectionsOnly(principal))
    throw new ApiError('forbidden', `${connector.title} is the account's connection: an owner or admin manages it`);
  return null;
}

const AuthorizeAnswer = z.object({
  object: z.literal('integration_authorization'),
  provider: z.string(),
  authorize_url: z.string().describe("The provider's consent page; the `Location` of this 302."),
  expires_at: z.string().describe('The consent must be given by then (10 minutes).'),
});

const CallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
  scope: z.string().max(8192).optional(),
});

const SyncInput = z.strictObject({
  kind: z.string().max(40).optional().describe("The connector's kind of sync; default its first (Gmail: `mail`)."),
});

const SyncAnswer = z.object({ object: z.literal('integration_sync'), id: z.string(), status: z.string() });

/** The callback's answer: a page for the person's browser, or JSON when asked for it. */
function callbackAnswer(request: Request | undefined, status: number, title: string, text: string, data?: unknown) {
  const wantsJson = request?.headers.get('accept')?.includes('application/json') ?? false;
  if (wantsJson)
    return new Response(
      JSON.stringify(status < 400 ? { data } : { title, status, code: 'bad_request', detail: text }),
      { status, headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' } },
    );
  return new Response(page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`), {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

const runDueSoon = (runtime: Runtime) => runtime.find(syncRunner)?.nudge();

/**
 * Who the callback's browser is signed in as, if anyone (the session cookie, or a bearer
 * credential): the flow must then be its account's. The provider's redirect carries no credential
 * of ours, so an unknown or absent one is no one, not a refusal.
 */
async function callerOf(runtime: Runtime, request: Request | undefined): Promise<Principal | null> {
  const verifier = runtime.find(credentials);
  if (!verifier || !request) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const cookie = bearer ? null : verifier.sessionCookie(request.headers.get('cookie') ?? undefined);
  if (!bearer && !cookie) return null;
  const identity = await verifier.identify(bearer ? { bearer } : { cookie: cookie! });
  return identity?.principal ?? null;
}

export const integrationOperations = [
  defineOperation({
    ...common,
    method: 'get',
    path: '/v1/integrations/{provider}/authorize',
    operationId: 'authorizeIntegration',
    feature: 'integrations',
    scope: 'write:integrations',
    bucket: 'write',
    params: providerParam,
    summary: 'Start connecting a provider (OAuth 2.0 consent)',
    description:
      "Redirects (302) to the provider's consent page, with a single-use `state` bound to your account and to " +
      'you, valid 10 minutes, and a PKCE S256 challenge where the provider supports it. After consent the ' +
      'provider returns the browser to `/v1/integrations/{provider}/callback`, which connects the account. ' +
      '`409`: the server has no OAuth client for the provider.',
    response: AuthorizeAnswer,
    successStatus: 302,
    async handle({ runtime, principal, params }) {
      const connector = connectorOrThrow(params.provider);
      connectionOwner(principal, connector, true);
      const redirect = await startConnect(runtime, principal, connector);
      return {
        status: 302,
        location: redirect.url,
        headers: [['cache-control', 'no-store']],
        body: {
          data: {
            object: 'integration_authorization',
            provider: connector.provider,
            authorize_url: redirect.url,
            expires_at: redirect.expiresAt,
          },
        },
      };
    },
  }),
  defineOperation({
    tag: 'Integration',
    method: 'get',
    path: '/v1/integrations/{provider}/callback',
    operationId: 'integrationCallback',
    scope: null,
    authentication: 'none',
    bucket: 'write',
    params: providerParam,
    summary: "The provider's return after consent",
    description:
      'Where the provider sends the browser back. Checks the `state` (single use, unexpired, this provider), ' +
      'exchanges the code, stores the tokens encrypted and connects the integration of the account that ' +
      'started the flow. Answers a page (JSON with `Accept: application/json`); a forged, replayed or ' +
      'expired state is a 400 and changes nothing.',
    rawQuery: CallbackQuery,
    response: z.unknown(),
    undocumented: 'a browser redirect target of the OAuth connect flow',
    async handle({ runtime, params, request }) {
      const connector = connectorOrThrow(params.provider);
      const url = new URL(request?.url ?? 'http://localhost/');
      const parsed = CallbackQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success)
        return { response: callbackAnswer(request, 400, 'Not connected', 'The callback parameters are malformed.') };
      try {
        const params = Object.fromEntries(url.searchParams);
        const caller = await callerOf(runtime, request);
        const { integration } = await finishConnect(runtime, connector, { ...parsed.data, params }, caller);
        const text = `${connector.title} is connected as ${integration.identity}. You can close this page.`;
        return { response: callbackAnswer(request, 200, 'Connected', text, statusOf(connector, integration)) };
      } catch (error) {
        if (!(error instanceof ConnectRefused)) throw error;
        return { response: callbackAnswer(request, 400, 'Not connected', error.message) };
      }
    },
  }),
  defineOperation({
    ...common,
    method: 'get',
    path: '/v1/integrations/{provider}/status',
    operationId: 'getIntegrationStatus',
    scope: 'read:integrations',
    bucket: 'read',
    params: providerParam,
    summary: "The account's connection to a provider",
    description:
      'Whether it is connected, as whom, with which scopes, and how its last sync went. A per-member connector ' +
      "(a calendar): the caller's own connection.",
    response: IntegrationStatus,
    async handle({ runtime, principal, params }) {
      const connector = connectorOrThrow(params.provider);
      const memberId = connectionOwner(principal, connector, false);
      const row = await readIntegration(runtime.db, principal.accountId, connector.provider, memberId);
      return { status: 200, body: { data: statusOf(connector, row) } };
    },
  }),
  defineOperation({
    ...common,
    method: 'delete',
    // One path with `GET /v1/integrations/{id}`: the integration named by its id or by its provider.
    path: '/v1/integrations/{id}',
    operationId: 'disconnectIntegration',
    scope: 'write:integrations',
    bucket: 'write',
    // No id pattern: the segment is an id or a provider's name (test/integrations.test.ts proves another
    // account's integration is a 404 either way).
    summary: 'Disconnect a provider',
    description:
      'The integration by its id (`int_...`) or its provider (`DELETE /v1/integrations/gmail`). Revokes the ' +
      'grant at the provider and forgets the tokens; the integration becomes `disconnected`. What was imported ' +
      'stays. A provider that cannot be reached still loses its tokens here.',
    response: IntegrationStatus,
    async handle({ runtime, principal, params }) {
      const accountId = principal.accountId;
      const named = params.id.startsWith('int_') ? undefined : connectorOf(params.id);
      const row = params.id.startsWith('int_')
        ? await readIntegrationById(runtime.db, accountId, params.id)
        : named &&
          (await readIntegration(runtime.db, accountId, named.provider, connectionOwner(principal, named, true)));
      const connector = row && connectorOf(row.provider);
      if (!row || !connector || row.status === 'disconnected') throw notFound('integration', params.id);
      // Another member's own connection is none of a member's business; the account's is an admin's.
      if (ownConnectionsOnly(principal) && (!row.member_id || row.member_id !== principal.userId))
        throw notFound('integration', params.id);
      const memberId: string | null = row.member_id ?? null;
      const tokens = await loadTokens(runtime.db, runtime.secrets, accountId, connector.provider, memberId);
      const token = tokens?.refreshToken ?? tokens?.accessToken;
      if (token && connector.revoke) {
        try {
          await connector.revoke(token, clientOrThrow(runtime, connector), apiWithToken(tokens!.accessToken));
        } catch (error) {
          runtime.logger.warn(
            { provider: connector.provider, account: accountId, error: (error as Error).message },
            'revoking at the provider failed; tokens forgotten anyway',
          );
        }
      }
      await forgetTokens(runtime.db, accountId, connector.provider, memberId);
      const updated = await markIntegration(
        runtime.db,
        accountId,
        connector.provider,
        { status: 'disconnected' },
        memberId,
      );
      return { status: 200, body: { data: statusOf(connector, updated) } };
    },
  }),
  defineOperation({
    ...common,
    method: 'post',
    path: '/v1/integrations/{provider}/sync',
    operationId: 'syncIntegration',
    scope: 'write:integrations',
    bucket: 'write',
    params: providerParam,
    summary: 'Start a sync',
    description:
      'Queues a run of the sync (or answers the one already queued or running); its report is ' +
      '`GET /v1/integration-syncs/{id}`. `409`: the integration is not connected.',
    body: SyncInput,
    response: SyncAnswer,
    successStatus: 202,
    async handle({ runtime, principal, params, body }) {
      const connector = connectorOrThrow(params.provider);
      const kind = body?.kind ?? Object.keys(connector.syncs)[0];
      if (!kind || !connector.syncs[kind])
        throw validationFailed([
          { path: 'kind', message: `one of: ${Object.keys(connector.syncs).join(', ') || '(none)'}` },
        ]);
      const memberId = connectionOwner(principal, connector, true);
      const row = await readIntegration(runtime.db, principal.accountId, connector.provider, memberId);
      if (!row || (row.status !== 'connected' && row.status !== 'error'))
        throw new ApiError('conflict', `${connector.title} is ${row?.status ?? 'not connected'}: connect it first`);
      const run = await queueSync(runtime, principal.accountId, row.id, connector, kind, 'manual', memberId);
      runDueSoon(runtime);
      return { status: 202, body: { data: { object: 'integration_sync', id: run.id, status: 'queued' } } };
    },
  }),
  defineOperation({
    ...common,
    method: 'post',
    path: '/v1/integrations/{provider}/send',
    operationId: 'sendThroughIntegration',
    scope: 'write:integrations',
    bucket: 'write',
    params: { provider: { enum: MAILBOXES } },
    summary: 'Send a message of an email conversation through a connected mailbox',
    description:
      'Stores the outbound message and queues it in the mailbox in one transaction; it is sent after commit, ' +
      'in the conversation’s thread when it came from the mailbox. `409`: the mailbox is not connected.',
    body: MailboxSendInput,
    response: z.record(z.string(), z.unknown()),
    responseComponent: 'Message',
    async handle({ runtime, principal, params, body, requestId }) {
      const connector = connectorOrThrow(params.provider);
      if (!connector.sendMail) throw notFound('mailbox provider', connector.provider);
      connectionOwner(principal, connector, true);
      const message = await withTenantTransaction(runtime.db, principal.accountId, (tx) =>
        sendThroughMailbox(createOperationContext(tx, principal, runtime, requestId), connector, body),
      );
      runtime.find(mailboxRelay)?.nudge();
      return { status: 200, body: { data: message } };
    },
  }),
];
