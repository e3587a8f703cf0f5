// The two routes around push subscriptions: the key a browser subscribes with, and a test push
// a member sends to their own devices to see that notifications arrive. The key is read outside
// any tenant transaction (it is the server's, and may be made on the first read).
import { z } from 'zod';
import { resourceEndpoint } from '../../platform/resource/define-resource.ts';
import { ApiError, validationFailed } from '../../platform/errors.ts';
import { assertAssignedToCaller, loadReferencedOrThrow } from '../../platform/operations/load-row.ts';
import { queuePush } from './push-outbox.ts';
import { defineOperation } from '../../platform/api/define-operation.ts';
import { schemaName } from '../../platform/naming.ts';
import { vapidKeys } from './push-services.ts';

const TestPush = z.strictObject({
  user_id: z.string().min(1).max(64).optional().describe('Whose devices; defaults to the signed-in member.'),
  title: z.string().trim().min(1).max(200).default('Test notification from Fieldline'),
  body: z.string().trim().max(1000).default('Notifications reach this device.'),
  url: z.string().max(2048).optional().describe('Where a click on it takes the member.'),
});

export const pushEndpoints = [
  resourceEndpoint({
    method: 'post',
    base: '/v1/push',
    path: '/send',
    operationId: 'sendTestPush',
    summary: "Send a test push to a member's devices",
    description:
      'One push to each of their subscriptions, each with a delivery (`/v1/deliveries?channel=push`). ' +
      'A 422 when they have none.',
    input: TestPush,
    answers: z.object({
      object: z.literal('push_test'),
      user_id: z.string(),
      delivery_ids: z.array(z.string()).describe('One delivery per subscription.'),
    }),
    async run({ input, ctx }) {
      const userId = input.user_id ?? ctx.principal.userId;
      if (!userId) throw new ApiError('forbidden', 'An API key belongs to no member: give user_id');
      await loadReferencedOrThrow(ctx, ctx.registry.get('users'), userId, 'user_id');
      await assertAssignedToCaller(ctx, ctx.registry.get('push-subscriptions'), { user_id: userId });
      const deliveryIds = await queuePush(ctx, userId, { title: input.title, body: input.body, url: input.url });
      if (!deliveryIds.length)
        throw validationFailed([
          { path: 'user_id', message: `User '${userId}' has no push subscriptions: register one first` },
        ]);
      return { object: 'push_test', user_id: userId, delivery_ids: deliveryIds };
    },
  }),
];

export const vapidKeyOperation = defineOperation({
  method: 'get',
  path: '/v1/push/vapid-key',
  operationId: 'getVapidKey',
  tag: schemaName({ name: 'push_subscription' }),
  collection: 'push-subscriptions',
  scope: 'read:push-subscriptions',
  bucket: 'read',
  summary: 'The public key browsers subscribe with',
  description:
    "Pass it as `applicationServerKey` to the browser's `pushManager.subscribe()`: the push service then " +
    'takes pushes for that subscription from this server only (VAPID, RFC 8292).',
  response: z.object({
    object: z.literal('vapid_key'),
    public_key: z.string().describe('The uncompressed P-256 public key, base64url.'),
  }),
  async handle({ runtime }) {
    const { publicKey } = await runtime.use(vapidKeys).keys();
    return { status: 200, body: { data: { object: 'vapid_key', public_key: publicKey } } };
  },
});
