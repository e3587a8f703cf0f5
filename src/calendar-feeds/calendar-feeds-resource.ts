// Calendar feeds: read-only iCalendar (RFC 5545) subscriptions of a technician's jobs, or of
// every job of the account, for any calendar app that subscribes by URL. The URL's secret token
// is the only credential: shown once at creation and by rotate, stored hashed (feed-tokens.ts),
// gone with revoke or delete. Members who may change only their own work make their own feed.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import type { OperationContext } from '../platform/contract.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { feedUrls, forgetFeedTokens, mintFeedToken, replaceFeedToken, type MintedFeedToken } from './feed-tokens.ts';
import { FEED_WINDOW_DAYS } from './feed-window.ts';

/** Roles that may have a feed of their own jobs only (`own` access: technician_id is themselves). */
const OWN_FEED_ROLES = ['technician', 'dispatcher', 'office'] as const;

const REVEALED = {
  token: 'The secret token (`flcal_...`). Shown only here: whoever has it reads the feed.',
  url: 'The feed URL to subscribe to (`.../v1/calendar/{token}.ics`). Shown only here.',
  webcal_url: 'The same URL with the `webcal://` scheme, which opens the subscription in Apple Calendar and Outlook.',
};

/** Mints a token, stores its hash as the feed's only one, and says what to reveal. */
function issueToken(ctx: OperationContext, feedId: string, minted = mintFeedToken()) {
  for (const statement of replaceFeedToken(ctx.tx.accountId, feedId, minted, ctx.now)) ctx.tx.defer(statement);
  return { token: minted.token, ...feedUrls(ctx.runtime.options.publicUrl, minted.token) };
}

/** A create's token: minted before the insert (the row shows its prefix), stored after it (the hash refers to it). */
const mintedFor = new WeakMap<OperationContext, MintedFeedToken>();

/** A member limited to their own feeds sees only those. */
function ownFeedsOnly(principal: Principal) {
  const own = principal.role !== undefined && (OWN_FEED_ROLES as readonly string[]).includes(principal.role);
  return own ? { field: 'technician_id', values: principal.userId ? [principal.userId] : [] } : null;
}

export const calendarFeeds = defineResource({
  name: 'calendar_feed',
  collection: 'calendar-feeds',
  idPrefix: 'calf',
  description:
    "An iCalendar feed of scheduled jobs, for calendar apps that subscribe by URL: one technician's jobs and " +
    `schedule blocks, or every job of the account. The feed covers ${FEED_WINDOW_DAYS.back} days back to ` +
    `${FEED_WINDOW_DAYS.ahead} days ahead. Its URL holds a secret token, shown only when the feed is created ` +
    'or rotated.',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  limitedBecause: 'Each feed reveals its secret URL once, on create: feeds are made one at a time.',
  softDelete: true,
  assignment: { field: 'technician_id' },
  roles: { technician: 'own', dispatcher: 'own', office: 'own' },
  readableRows: ownFeedsOnly,
  lifecycle: { field: 'status', updatableIn: ['active'] },
  fields: {
    name: field.text({ max: 200 }).searchable().describe('A label for the feed (the calendar shows it).'),
    technician_id: field
      .ref('users')
      .createOnly()
      .filterable()
      .expand('technician')
      .describe(
        'The member whose jobs and schedule blocks the feed shows; absent: every job of the account (owners and ' +
          'admins only). Technicians, dispatchers and office members make feeds of their own jobs.',
      ),
    status: field
      .enum(['active', 'revoked'])
      .default('active')
      .readOnly()
      .filterable()
      .describe('A revoked feed answers 404 at its URL for good.'),
    token_prefix: field
      .text()
      .readOnly()
      .describe(
        "The token's first characters (`flcal_` and 12 more), to recognise it; the token is never shown again.",
      ),
    token_rotated_at: field.datetime().readOnly().describe('When the current token was issued.'),
  },
  revealedOnCreate: REVEALED,
  hooks: {
    stamp: async ({ previous, ctx }) => {
      if (previous) return {};
      const minted = mintFeedToken();
      mintedFor.set(ctx, minted);
      return { token_prefix: minted.prefix, token_rotated_at: ctx.now };
    },
    afterCreate: async ({ row, ctx }) => {
      const revealed = issueToken(ctx, row.id, mintedFor.get(ctx));
      for (const [name, value] of Object.entries(revealed)) ctx.reveal(name, value);
    },
    beforeDelete: async ({ row, ctx }) => ctx.tx.defer(forgetFeedTokens(row.id)),
  },
  actions: {
    rotate: {
      summary: 'Rotate the secret URL',
      description:
        'Issues a new token and URL; the previous URL answers 404 from now on. Subscribed calendars must be ' +
        'given the new URL.',
      from: ['active'],
      reveals: REVEALED,
      run: async ({ row, ctx }) => {
        const minted = mintFeedToken();
        const revealed = issueToken(ctx, row.id, minted);
        const patch = { token_prefix: minted.prefix, token_rotated_at: ctx.now };
        const updated = await ctx.update('calendar-feeds', row.id, patch);
        return { data: { ...serialize(ctx.registry.get('calendar-feeds'), updated), ...revealed } };
      },
    },
    revoke: {
      summary: 'Revoke the feed',
      description: 'Its URL answers 404 from now on, as for a token that never existed. A revoked feed stays listed.',
      from: ['active'],
      to: 'revoked',
      event: 'revoked',
      apply: ({ row, ctx }) => {
        ctx.tx.defer(forgetFeedTokens(row.id));
        return {};
      },
    },
  },
  schema: [
    // The hash of each feed's current token; the lookup part finds it without the account
    // (the feed URL is the only credential), so it is unique across accounts.
    `CREATE TABLE IF NOT EXISTS calendar_feed_tokens (
       lookup text PRIMARY KEY,
       account_id text NOT NULL REFERENCES accounts (id),
       feed_id text NOT NULL,
       token_hash bytea NOT NULL,
       created_at timestamptz NOT NULL,
       FOREIGN KEY (account_id, feed_id) REFERENCES calendar_feeds (account_id, id)
     )`,
    'CREATE INDEX IF NOT EXISTS calendar_feed_tokens_feed_idx ON calendar_feed_tokens (feed_id)',
    ...rowLevelSecurity('calendar_feed_tokens'),
    `GRANT SELECT, INSERT, DELETE ON calendar_feed_tokens TO ${TENANT_ROLE}`,
  ],
});
