// Notifications: messages for one team member inside the app (an alert fired, a job was
// assigned to them). Read state changes through `read`, `unread` and `read-all`, each an
// event, so a client can keep a badge live from the event stream or from `unread-count`.
import { z } from 'zod';
import { defineResource, resourceEndpoint } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { assertAssignedToCaller, loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import type { OperationContext } from '../platform/contract.ts';

export const NOTIFICATION_CATEGORIES = ['alert', 'job', 'message', 'ticket', 'system'] as const;

const forUser = z.strictObject({
  user_id: z.string().min(1).max(64).describe('The team member whose notifications are meant.'),
});

const requireUser = (ctx: OperationContext, id: string) =>
  loadReferencedOrThrow(ctx, ctx.registry.get('users'), id, 'user_id');

export const notifications = defineResource({
  name: 'notification',
  collection: 'notifications',
  assignment: { field: 'user_id' },
  idPrefix: 'ntf',
  // A technician changes only their own work.
  roles: { technician: 'own' },
  description:
    'A message for one team member in the app. ' +
    'Alert rules create them for `notify_user_ids`; integrations may create their own.',
  // What a notification says is fixed once sent; only its read state changes (by actions).
  operations: ['list', 'get', 'create', 'delete', 'bulk', 'export'],
  limitedBecause:
    "A notification's text is fixed once delivered: read state changes through the `read`, " +
    '`unread` and `read-all` actions.',
  fields: {
    user_id: field.ref('users').required().createOnly().filterable().expand('user').describe('Who it is for.'),
    title: field
      .text({ min: 1, max: 200 })
      .required()
      .createOnly()
      .searchable()
      .example('Job job_01J… was assigned to you'),
    body: field.text({ max: 2000 }).createOnly().searchable(),
    category: field.enum(NOTIFICATION_CATEGORIES).default('system').createOnly().filterable(),
    link: field
      .text({ max: 2048 })
      .createOnly()
      .describe('Where the app takes the reader: an API path such as `/v1/jobs/job_…` or a URL.'),
    read_at: field.datetime().readOnly().filterable().sortable(),
    read: field.boolean().default(false).readOnly().filterable().describe('Whether `read_at` is set.'),
  },
  hooks: {
    compute: (row) => ({ read: row.read_at !== null && row.read_at !== undefined }),
  },
  actions: {
    read: {
      summary: 'Mark a notification read',
      event: 'read',
      apply: ({ row, ctx }) => ({ read_at: row.read_at ?? ctx.now }),
    },
    unread: { summary: 'Mark a notification unread', event: 'unread', apply: () => ({ read_at: null }) },
  },
  endpoints: [
    resourceEndpoint({
      method: 'post',
      path: '/read-all',
      operationId: 'readAllNotifications',
      summary: 'Mark every unread notification of a team member read',
      description: 'Each one changed is a `notification.read` event.',
      input: forUser,
      answers: z.object({ object: z.literal('notification_read_all'), user_id: z.string(), updated: z.int() }),
      async run({ input, ctx }) {
        await requireUser(ctx, input.user_id);
        const resource = ctx.registry.get('notifications');
        // Marking someone's notifications is writing them: a member limited to their own work marks only their own.
        await assertAssignedToCaller(ctx, resource, { user_id: input.user_id });
        const changed = await ctx.tx.query({
          sql: `UPDATE notifications SET read_at = $3, read = TRUE, updated_at = $3
                WHERE account_id = $1 AND user_id = $2 AND read_at IS NULL
                RETURNING ${resource.selectColumns.join(', ')}`,
          parameters: [ctx.tx.accountId, input.user_id, ctx.now],
        });
        for (const row of changed)
          ctx.emit('notification.read', serialize(resource, row), { read_at: null, read: false });
        return { object: 'notification_read_all', user_id: input.user_id, updated: changed.length };
      },
    }),
    resourceEndpoint({
      method: 'get',
      path: '/unread-count',
      operationId: 'countUnreadNotifications',
      summary: 'How many notifications a team member has not read',
      input: forUser,
      answers: z.object({ object: z.literal('notification_unread_count'), user_id: z.string(), unread: z.int() }),
      async run({ input, ctx }) {
        await requireUser(ctx, input.user_id);
        const [{ unread }] = await ctx.tx.query({
          sql:
            'SELECT count(*)::int AS unread FROM notifications ' +
            'WHERE account_id = $1 AND user_id = $2 AND read_at IS NULL',
          parameters: [ctx.tx.accountId, input.user_id],
        });
        return { object: 'notification_unread_count', user_id: input.user_id, unread };
      },
    }),
  ],
});
