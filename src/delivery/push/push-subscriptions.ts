// Push subscriptions: a browser or device that asked to receive a team member's notifications
// (the Push API's PushSubscription). The endpoint is the push service's URL for that browser;
// `p256dh` and `auth` are the keys the payload is encrypted to (RFC 8291). An endpoint is called
// by the server, so it follows the webhook target policy: no private networks unless allowed.
import { defineResource } from '../../platform/resource/define-resource.ts';
import { field } from '../../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../../platform/errors.ts';
import { targetProblem } from '../../webhooks/target-policy.ts';
import { pushEndpoints } from './push-endpoints.ts';

// The Push API's `getKey()` values as `PushSubscription.toJSON()` gives them, in base64url: an
// uncompressed P-256 point (65 bytes, the first 0x04) and a 16-byte secret.
const P256_POINT = /^B[A-Za-z0-9_-]{86}=?$/;
const AUTH_SECRET = /^[A-Za-z0-9_-]{22}(==)?$/;

export const pushSubscriptions = defineResource({
  name: 'push_subscription',
  collection: 'push-subscriptions',
  idPrefix: 'psub',
  assignment: { field: 'user_id' },
  // Each member registers and removes their own browsers.
  roles: { technician: 'own', dispatcher: 'own', office: 'own', read_only: 'own' },
  description:
    "A browser or device that receives a team member's notifications by Web Push. Register what the " +
    "browser's `pushManager.subscribe({ applicationServerKey })` gives (with the key from " +
    '`GET /v1/push/vapid-key`): its `endpoint`, and `keys.p256dh` and `keys.auth` as `p256dh` and `auth`. ' +
    'A subscription the push service reports gone (404, 410) is removed.',
  operations: ['list', 'get', 'create', 'delete'],
  limitedBecause: 'A subscription is what a browser gave: a changed one is a new subscription.',
  fields: {
    user_id: field
      .ref('users')
      .createOnly()
      .filterable()
      .expand('user')
      .describe('Whose notifications it receives; defaults to the signed-in member.'),
    endpoint: field.url().required().createOnly().unique().describe("The push service's URL for this browser."),
    p256dh: field
      .text({ pattern: P256_POINT, message: 'Expected the 65-byte P-256 key (keys.p256dh), base64url' })
      .required()
      .createOnly()
      .describe("The browser's P-256 public key (`keys.p256dh`), base64url.")
      .example('BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM'),
    auth: field
      .secret({ min: 22, max: 24, pattern: AUTH_SECRET, message: 'Expected the 16-byte secret (keys.auth), base64url' })
      .required()
      .describe('The authentication secret (`keys.auth`), base64url.')
      .example('8eDyX_uCN0XRhSbY5hs7Hg'),
    user_agent: field.text({ max: 500 }).createOnly().describe('Which browser it is, to tell them apart.'),
    last_success_at: field.datetime().readOnly().describe('When a push last reached it.'),
  },
  hooks: {
    validate: async ({ row, previous, ctx }) => {
      if (previous) return;
      row.user_id ??= ctx.principal.userId ?? null;
      if (!row.user_id)
        throw new ApiError('forbidden', 'An API key belongs to no member: give user_id, the member it is for');
      const problem = await targetProblem(row.endpoint, ctx.runtime.options.webhooks?.allowPrivate ?? false);
      if (problem) throw validationFailed([{ path: 'endpoint', message: problem }]);
    },
  },
  endpoints: pushEndpoints,
});
