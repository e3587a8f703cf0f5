// Each member's choice of channels per kind of notification. The in-app notification is always
// written; push, email and SMS follow these preferences. A member without a row has the defaults
// (push on, email and SMS off): a phone buzzes, an inbox is not flooded, texts cost money.
import { z } from 'zod';
import type { TenantTransaction } from '../../db/tenant-transaction.ts';
import { withTenantTransaction } from '../../db/tenant-transaction.ts';
import { defineOperation } from '../../platform/api/define-operation.ts';
import { ApiError } from '../../platform/errors.ts';
import type { Principal } from '../../platform/operations/principal.ts';

export const NOTIFICATION_KINDS = {
  job_assigned: 'A job was assigned to you, or taken from you.',
  job_rescheduled: 'A job assigned to you was scheduled or moved to another time.',
  job_cancelled: 'A job assigned to you was cancelled.',
  ticket_assigned: 'A ticket was assigned to you.',
  ticket_escalated: 'A ticket assigned to you (or, for owners and admins, any ticket) was escalated.',
  mentioned: 'A teammate mentioned you (`<@usr_…>`) in a note.',
  automation: 'An automation rule of the account notified you.',
  approval_requested: 'An action waits for your approval.',
} as const;
export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
const KINDS = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

export const NOTIFICATION_CHANNELS = ['push', 'email', 'sms'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
type Channels = Record<NotificationChannel, boolean>;
const DEFAULT_CHANNELS: Channels = { push: true, email: false, sms: false };

const ChannelsSchema = z.object({
  push: z.boolean().describe("A push to each of the member's subscribed browsers and devices."),
  email: z.boolean().describe("A mail to the member's email address."),
  sms: z.boolean().describe("A text to the member's phone (when it is a valid number and texts are configured)."),
});
const kindsShape = <S extends z.ZodType>(schema: S) =>
  Object.fromEntries(KINDS.map((kind) => [kind, schema.describe(NOTIFICATION_KINDS[kind])])) as Record<
    NotificationKind,
    S
  >;

const Preferences = z.object({
  object: z.literal('notification_preferences'),
  user_id: z.string(),
  ...kindsShape(ChannelsSchema),
});
const PreferencesUpdate = z.strictObject(kindsShape(ChannelsSchema.partial().strict().optional()));
type Stored = Partial<Record<NotificationKind, Partial<Channels>>>;

/** The member's channels for `kind`, defaults filled in. */
export async function channelsFor(tx: TenantTransaction, userId: string, kind: NotificationKind): Promise<Channels> {
  return (await preferencesOf(tx, userId))[kind];
}

async function preferencesOf(tx: TenantTransaction, userId: string): Promise<Record<NotificationKind, Channels>> {
  const [row] = await tx.query<{ preferences: Stored }>({
    sql: 'SELECT preferences FROM notification_preferences WHERE account_id = $1 AND user_id = $2',
    parameters: [tx.accountId, userId],
  });
  return Object.fromEntries(KINDS.map((kind) => [kind, { ...DEFAULT_CHANNELS, ...row?.preferences[kind] }])) as Record<
    NotificationKind,
    Channels
  >;
}

function memberOf(principal: Principal): string {
  if (!principal.userId)
    throw new ApiError('not_found', 'This credential acts for the account, not for a member: sign in to have a user');
  return principal.userId;
}

const shared = {
  path: '/v1/users/me/notification-preferences',
  tag: 'Notification',
  collection: 'notifications',
  singular: 'notification',
  response: Preferences,
} as const;

export const notificationPreferenceOperations = [
  defineOperation({
    ...shared,
    method: 'get',
    operationId: 'getNotificationPreferences',
    scope: 'read:notifications',
    bucket: 'read',
    summary: 'Retrieve how you are notified',
    description:
      'For each kind of notification, the channels it reaches you on besides the app: push, email, SMS. ' +
      'The in-app notification (`/v1/notifications`) is always written.',
    async handle({ runtime, principal }) {
      const userId = memberOf(principal);
      const preferences = await withTenantTransaction(runtime.db, principal.accountId, (tx) =>
        preferencesOf(tx, userId),
      );
      return { status: 200, body: { data: { object: 'notification_preferences', user_id: userId, ...preferences } } };
    },
  }),
  defineOperation({
    ...shared,
    method: 'patch',
    operationId: 'updateNotificationPreferences',
    scope: 'write:notifications',
    bucket: 'write',
    summary: 'Change how you are notified',
    description: 'Give only what changes: `{"job_assigned": {"sms": true}}`. The rest keep their values.',
    body: PreferencesUpdate,
    async handle({ runtime, principal, body }) {
      const userId = memberOf(principal);
      const preferences = await withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
        const merged = await preferencesOf(tx, userId);
        for (const kind of KINDS) Object.assign(merged[kind], body[kind]);
        tx.defer({
          sql: `INSERT INTO notification_preferences (account_id, user_id, preferences, updated_at)
                VALUES ($1, $2, $3, now())
                ON CONFLICT (account_id, user_id) DO UPDATE SET preferences = EXCLUDED.preferences, updated_at = now()`,
          parameters: [tx.accountId, userId, JSON.stringify(merged)],
        });
        return merged;
      });
      return { status: 200, body: { data: { object: 'notification_preferences', user_id: userId, ...preferences } } };
    },
  }),
];
