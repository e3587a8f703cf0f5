// Integrations: the connections to third parties (Gmail, Microsoft 365, QuickBooks ...) made
// through the provider's OAuth 2.0 consent: one per account and provider, or, for a per-member
// connector (a calendar), one per account, provider and member (`member_id`). Read-only as a
// resource: it changes through the connect flow, syncs and DELETE /v1/integrations/{provider}
// (src/integrations/integration-operations.ts). Its tokens live apart, sealed (token-store.ts).
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import type { Principal } from '../platform/operations/principal.ts';

export const INTEGRATION_STATES = ['connected', 'needs_reauth', 'error', 'disconnected'] as const;
export type IntegrationState = (typeof INTEGRATION_STATES)[number];

/** Roles that see (and disconnect) only their own connections; owners, admins and read_only see all. */
export const OWN_CONNECTION_ROLES: readonly string[] = ['technician', 'dispatcher', 'office'];

export const ownConnectionsOnly = (principal: Principal) =>
  principal.role !== undefined && OWN_CONNECTION_ROLES.includes(principal.role);

/** A member limited to their own connections reads only rows whose `member_id` is theirs. */
const ownRows = (principal: Principal) =>
  ownConnectionsOnly(principal) ? { field: 'member_id', values: principal.userId ? [principal.userId] : [] } : null;

export const integrations = defineResource({
  name: 'integration',
  collection: 'integrations',
  idPrefix: 'int',
  description:
    "A connection of the account to a third-party provider, made with the provider's OAuth 2.0 consent " +
    '(`GET /v1/integrations/{provider}/authorize`). Syncs import from it; a mailbox provider also sends the ' +
    "account's email conversations.",
  operations: ['list', 'get'],
  limitedBecause:
    "An integration is made by the provider's consent (authorize, then callback) and ended by " +
    '`DELETE /v1/integrations/{provider}`; nothing else writes it.',
  emitsEvents: false,
  assignment: { field: 'member_id' },
  roles: { technician: 'own', dispatcher: 'own', office: 'own', read_only: 'read' },
  readableRows: ownRows,
  fields: {
    provider: field.text({ max: 40 }).required().filterable().describe('The connector: `gmail`, ...').example('gmail'),
    member_id: field
      .ref('users')
      .filterable()
      .describe("The member (`usr_...`) whose own connection this is (a calendar); absent: the account's."),
    status: field
      .enum(INTEGRATION_STATES)
      .default('connected')
      .filterable()
      .describe(
        '`connected`: working; `needs_reauth`: the provider no longer accepts the grant (revoked, expired): ' +
          'connect again; `error`: the last sync failed on an answer the provider should not give (see ' +
          '`last_error`); `disconnected`: tokens revoked and forgotten.',
      ),
    identity: field
      .text({ max: 320 })
      .describe('Who the connection acts as: the mailbox address, the company.')
      .example('office@example.com'),
    external_account_id: field.text({ max: 200 }).describe("The provider's id of that identity, when it has one."),
    scopes: field.tags().describe('The scopes the provider granted.'),
    connected_at: field.datetime().filterable().sortable(),
    connected_by_id: field.text({ max: 64 }).describe('The member (`usr_...`) or API key that connected it.'),
    last_sync_at: field.datetime().filterable().sortable().describe('When the last sync run ended.'),
    last_sync_status: field.enum(['succeeded', 'failed']).filterable(),
    last_sync_id: field.text({ max: 64 }).describe('That run (`/v1/integration-syncs/{id}`).'),
    last_error: field.text({ max: 1000 }).describe('Why the connection is in `error` or `needs_reauth`.'),
  },
  schema: [
    'DROP INDEX IF EXISTS integrations_one_per_provider',
    `CREATE UNIQUE INDEX IF NOT EXISTS integrations_one_per_connection
       ON integrations (account_id, provider, (COALESCE(member_id, '')))`,
  ],
});
