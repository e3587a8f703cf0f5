// Push subscriptions: a browser or device that asked to receive a team member's notifications
// (the Push API's PushSubscription). The endpoint is the push service's URL for that browser;
// `p256dh` and `auth` are the keys the payload is encrypted to (RFC 8291). An endpoint is called
// by the server, so it follows the webhook target policy: no private networks unless allowed.
import { z } from 'zod';
import { defineResource } from '../../platform/resource/define-resource.ts';
import { field } from '../../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../../platform/errors.ts';
import { targetProblem } from '../../webhooks/target-policy.ts';
import { pushEndpoints } from './push-endpoints.ts';

/** Base64url of exactly `bytes` bytes (the Push API's `getKey()` values, as `toJSON()` gives them). */
const base64urlOf = (bytes: number) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'Expected base64url, as PushSubscription.toJSON() gives it')
    .refine((text) => Buffer.from(text, 'base64url').length === bytes, `Expected ${bytes} bytes in base64url`);

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
      .text()
      .required()
      .createOnly()
      .describe("The browser's P-256 public key (`keys.p256dh`), base64url.")
      .example('BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM'),
    auth: field.secret({ min: 16, max: 64 }).required().describe('The authentication secret (`keys.auth`), base64url.'),
    user_agent: field.text({ max: 500 }).createOnly().describe('Which browser it is, to tell them apart.'),
    last_success_at: field.datetime().readOnly().describe('When a push last reached it.'),
  },
  hooks: {
    validate: async ({ row, previous, ctx }) => {
      if (previous) return;
      row.user_id ??= ctx.principal.userId ?? null;
      if (!row.user_id)
        throw new ApiError('forbidden', 'An API key belongs to no member: give user_id, the member it is for');
      const errors = [
        ...keyProblems('p256dh', row.p256dh, 65),
        ...keyProblems('auth', row.auth, 16),
        ...[await targetProblem(row.endpoint, ctx.runtime.options.webhooks?.allowPrivate ?? false)]
          .filter((problem) => problem !== null)
          .map((message) => ({ path: 'endpoint', message })),
      ];
      if (errors.length) throw validationFailed(errors);
    },
  },
  endpoints: pushEndpoints,
});

function keyProblems(path: string, value: string, bytes: number) {
  const parsed = base64urlOf(bytes).safeParse(value);
  return parsed.success ? [] : [{ path, message: parsed.error.issues[0].message }];
}
