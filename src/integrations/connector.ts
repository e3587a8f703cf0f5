// The connector contract: what one third-party provider (Gmail, Microsoft 365, QuickBooks ...)
// implements so that the integrations framework can connect it, keep its tokens, sync from it and
// send mail through it. The framework owns everything else, once for all providers: the
// `integrations` resource and its endpoints, the OAuth 2.0 connect flow (state, PKCE), sealed
// tokens and their refresh, external-id links, the sync runs and their reports.
//
// Adding a connector
// 1. Write it in its own folder, `src/integrations/<vendor>/<provider>-connector.ts`, exporting a
//    `Connector` (see src/integrations/google/gmail-connector.ts for a complete one). Its
//    `provider` is the path segment of its endpoints (`/v1/integrations/{provider}/...`).
// 2. Register it: add it to CONNECTORS in src/integrations/connectors.ts. That is all the
//    framework needs: authorize, callback, status, DELETE, `POST .../sync` and the
//    `integration-syncs` reports then exist for it, with no code of its own.
// 3. Configuration: the OAuth client (id, secret) and the provider's base URLs come from server
//    configuration (env, parsed in src/config.ts into `IntegrationSettings`, see
//    src/integrations/integration-settings.ts); `oauth.client(settings)` answers null when the
//    server has none, and connecting then answers 409. Every URL the connector calls is built
//    from those settings, so tests point them at a local fake.
// 4. Syncing: each entry of `syncs` is a kind of sync (`mail`, `invoices`) whose `step` is called
//    by the sync runner (src/integrations/sync-runner.ts) on the shared PostgreSQL job runner,
//    once per page, with the cursor the last committed step left (null the first time). A step
//    fetches from the provider OUTSIDE any transaction (through `api`, which adds the access
//    token, refreshes it before expiry, turns 429/Retry-After into a pause of the run and a 5xx
//    into a retry), then returns the next cursor and a `write` function. The runner runs `write`
//    and stores the cursor in ONE tenant transaction: a crash before commit redoes the page, a
//    crash after it resumes at the next page, so a step must be idempotent. Make it so with the
//    external-id links (`links.find` before creating, `links.upsert` after): unique per
//    account + provider + collection + external id. Count what the page did with `tally`: it
//    becomes the run's report (`GET /v1/integration-syncs/{id}`). Throw `ProviderAnswerInvalid`
//    when the provider's answer is not what its documentation says: the run fails, the
//    integration shows `error`, and nothing of the page is written.
// 5. Per member: a connector with `perMember` (a calendar) is connected by each member for
//    themselves (its authorize needs a signed-in member, whom the state is bound to); its rows,
//    tokens, cursors and runs carry that member (`member_id`), and its steps get `memberId`.
//    Its endpoints act on the caller's own connection; an owner or admin sees and disconnects all.
// 6. Mail: a mailbox provider implements `sendMail`; email conversations then send through the
//    account's connected mailbox (src/integrations/mailbox-outbox.ts) instead of SMTP, queued in
//    the transaction of `POST /v1/messages/send` and sent after commit by a worker.
// 7. Test it against a local fake of the provider's documented API on 127.0.0.1 (one HTTP server:
//    OAuth token and revoke endpoints, the API calls you make, 429 and 5xx on demand), like
//    test/support/fake-google.ts, with the settings' URLs pointing at it (test/gmail.test.ts).
//    Drive the workers yourself: `runtime.use(syncRunner).runDue(now, { accountIds })` and
//    `runtime.use(mailboxRelay).deliver(now, { accountIds })` (src/integrations/integration-operations.ts);
//    give `accountIds`, since suites share the PostgreSQL database in CI and would run each other's work.
import type { z } from 'zod';
import type { OperationContext, Runtime } from '../platform/contract.ts';
import type { IntegrationLinks } from './integration-links.ts';
import type { IntegrationSettings } from './integration-settings.ts';
import type { ProviderApi } from './provider-api.ts';

/** A provider's OAuth 2.0 client and endpoints, from server configuration. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** Where the person is sent to consent (`https://accounts.google.com/o/oauth2/v2/auth`). */
  authorizeUrl: string;
  /** The token endpoint: authorization_code and refresh_token grants. */
  tokenUrl: string;
  /** RFC 7009 revocation endpoint, if the provider has one. */
  revokeUrl?: string;
  /** How the token endpoint authenticates the client: form fields (default) or HTTP Basic (Intuit's only way). */
  authMethod?: 'client_secret_post' | 'client_secret_basic';
}

export interface ConnectorOAuth {
  /** The client and endpoints the server is configured with; null: the provider is not configured here. */
  client(settings: IntegrationSettings): OAuthClient | null;
  /** The scopes asked for (space-joined in the authorize URL). */
  scopes: readonly string[];
  /** Whether the provider takes a PKCE S256 challenge. */
  pkce: boolean;
  /** Further authorize parameters (`access_type=offline`, `prompt=consent`). */
  authorizeParams?: Record<string, string>;
}

/** Who the connection acts as, shown by `GET /v1/integrations/{provider}/status`. */
export interface ConnectedIdentity {
  /** A mailbox's address or a company's name. */
  identity: string;
  /** The provider's id of it (a QuickBooks realm id), if it has one distinct from `identity`. */
  externalAccountId?: string;
}

/** What one page of a sync did, counted into its run's report. */
export interface SyncTally {
  created(count?: number): void;
  updated(count?: number): void;
  skipped(count?: number): void;
  /** One item that could not be imported (the run goes on); the reason is kept in the report. */
  failed(externalId: string, reason: string): void;
}

/** What a step's `write` works with, inside the tenant transaction that also stores the cursor. */
export interface SyncWrite {
  /** Creates and updates our records (`ctx.create`, `ctx.update`), with their events. */
  ctx: OperationContext;
  /** External ids of this provider in this account. */
  links: IntegrationLinks;
  tally: SyncTally;
}

export interface SyncStepArgs<C> {
  /** Where the last committed step stopped; null before the first sync of this kind. */
  cursor: C | null;
  /** The provider's API with this account's token. */
  api: ProviderApi;
  accountId: string;
  /** The member whose own connection this is (a per-member connector); null for the account's. */
  memberId: string | null;
  runtime: Runtime;
  settings: IntegrationSettings;
}

export interface SyncStep<C> {
  /** Where the next step starts (and, once `done`, where the next run starts). */
  cursor: C;
  /** The run is over: nothing more to fetch now. */
  done: boolean;
  /** What this page changes in our records; run in one transaction with the cursor. */
  write?: (write: SyncWrite) => Promise<void>;
}

/** One kind of sync a connector offers (`POST /v1/integrations/{provider}/sync` with `kind`). */
export interface SyncKind<C = unknown> {
  description: string;
  /** Checks a stored cursor before use; one that does not parse starts the sync afresh. */
  cursor: z.ZodType<C>;
  step(args: SyncStepArgs<C>): Promise<SyncStep<C>>;
}

/** A message to send through a connected mailbox. */
export interface MailboxMessage {
  to: string;
  subject: string;
  text: string;
  /** The provider's thread to send in (Gmail threadId), when the conversation came from it. */
  threadId?: string;
  /** RFC 2822 Message-ID of the message replied to, and the thread's References. */
  inReplyTo?: string;
  references?: readonly string[];
  /** The RFC 2822 Message-ID to give it (`<msg_...@fieldline>`), so that replies thread to it. */
  messageId?: string;
}

export interface SentMail {
  /** The provider's id of the sent message. */
  externalId: string;
  threadId?: string;
}

export interface Connector {
  /** The path segment (`gmail`) and the `provider` of its integration; lowercase, unique. */
  provider: string;
  /** The provider as people name it (`Gmail`). */
  title: string;
  description: string;
  /** Each member connects their own (a calendar), rather than one connection for the account. */
  perMember?: boolean;
  oauth: ConnectorOAuth;
  /** Whose account the new tokens reach: read once connected (and shown by `status`). */
  identity(
    api: ProviderApi,
    settings: IntegrationSettings,
    /** The callback's query parameters (QuickBooks names the connected company there, as `realmId`). */
    callback: Readonly<Record<string, string>>,
  ): Promise<ConnectedIdentity>;
  /** Revokes a token at the provider (DELETE); absent: the provider has no revocation, tokens are only forgotten. */
  revoke?(token: string, client: OAuthClient, api: ProviderApi): Promise<void>;
  /** Its kinds of sync, by name; the first is the default of `POST .../sync`. */
  syncs: Record<string, SyncKind<any>>;
  /** A mailbox: sends one message as the connected identity. */
  sendMail?(api: ProviderApi, message: MailboxMessage, settings: IntegrationSettings): Promise<SentMail>;
}

export const defineConnector = (connector: Connector): Connector => connector;
