// Webhook endpoints: where an account's events are POSTed. Subscribing and unsubscribing by
// API is all Zapier-style REST hooks need. The signing secret is generated here, stored
// encrypted, and shown in the create response and by rotate-secret only.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field, timestampSchema } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { unreadableEventType } from '../platform/events/readable-event-types.ts';
import { platformEventStatement } from '../platform/events/platform-events.ts';
import { targetProblem } from './target-policy.ts';
import { API_VERSION } from '../platform/openapi/build-openapi.ts';
import { webhookService } from './webhook-service.ts';
import { previousSecretExpiry, rotationInput } from '../platform/secret-rotation.ts';
import { WEBHOOK_SCHEMA } from './webhook-schema.ts';
import type { OperationContext } from '../platform/contract.ts';

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

function storeSecret(ctx: OperationContext, endpointId: string, secret: string): void {
  ctx.tx.defer({
    sql:
      'INSERT INTO webhook_endpoint_secrets (id, account_id, endpoint_id, secret_sealed, created_at) ' +
      'VALUES ($1, $2, $3, $4, $5)',
    parameters: [newId('whs'), ctx.tx.accountId, endpointId, webhookService(ctx).secrets.encrypt(secret), ctx.now],
  });
}

export const webhookEndpoints = defineResource({
  name: 'webhook_endpoint',
  collection: 'webhook-endpoints',
  idPrefix: 'we',
  description:
    "A URL that receives the account's events as signed POSTs (Standard Webhooks). " +
    'Delivery is at least once; order is not guaranteed.',
  softDelete: true,
  lifecycle: { field: 'status' },
  fields: {
    url: field
      .url()
      .required()
      .describe('An https URL on the public internet (http and private addresses only when the server allows them).'),
    description: field.text({ max: 500 }).searchable(),
    enabled_events: field
      .tags()
      .required()
      .describe('Event types to send (see `x-fieldline-events`), or `["*"]` for all.')
      .example(['customer.created', 'job.completed']),
    api_version: field
      .enum([API_VERSION])
      .describe(
        `The API version payloads are rendered in; absent: the current one (${API_VERSION}), the only one so far.`,
      ),
    status: field.enum(['enabled', 'disabled']).readOnly().default('enabled').filterable(),
    disabled_reason: field
      .text()
      .readOnly()
      .describe('Why the endpoint was disabled: by a user, a `410 Gone`, or days of failed deliveries.'),
    failing_since: field
      .datetime()
      .readOnly()
      .describe('Start of the current run of failed deliveries; null after a success.'),
  },
  revealedOnCreate: {
    secret: 'The signing secret (`whsec_...`). Shown only here and by rotate-secret: store it.',
  },
  hooks: {
    validate: async ({ row, previous, ctx }) => {
      const errors: { path: string; message: string }[] = [];
      // Resolving the host may take seconds: only for a new URL.
      const problem = previous?.url === row.url ? null : await targetProblem(row.url, webhookService(ctx).allowPrivate);
      if (problem) errors.push({ path: 'url', message: problem });
      const known = new Set(ctx.registry.eventTypes().map((e) => e.type));
      row.enabled_events.forEach((type, i) => {
        if (type !== '*' && !known.has(type))
          errors.push({ path: `enabled_events.${i}`, message: `'${type}' is not an event type` });
      });
      if (!row.enabled_events.length)
        errors.push({ path: 'enabled_events', message: 'name at least one event type, or "*"' });
      if (errors.length) throw validationFailed(errors);
      // An endpoint receives what its saver could read, never more (readable-event-types.ts).
      const refused = unreadableEventType(ctx.registry, ctx.principal, row.enabled_events);
      if (refused)
        throw new ApiError(
          'insufficient_scope',
          `This endpoint would receive '${refused.type}' events, which need '${refused.scope}'`,
          { required_scope: refused.scope },
        );
    },
    // After the insert: the secret row refers to the endpoint's.
    afterCreate: async ({ row, ctx }) => {
      const secret = newWebhookSecret();
      storeSecret(ctx, row.id, secret);
      ctx.reveal('secret', secret);
    },
  },
  actions: {
    enable: {
      summary: 'Enable the endpoint',
      description: 'Deliveries resume for events from now on; use recover for what failed meanwhile.',
      from: ['disabled'],
      to: 'enabled',
      event: 'enabled',
      apply: () => ({ disabled_reason: null, failing_since: null }),
    },
    disable: {
      summary: 'Disable the endpoint',
      description: 'No events are queued for it until it is enabled again; pending deliveries stop.',
      from: ['enabled'],
      to: 'disabled',
      event: 'disabled',
      apply: () => ({ disabled_reason: 'disabled through the API' }),
    },
    'rotate-secret': {
      summary: 'Rotate the signing secret',
      description:
        'Answers with the new secret. ' +
        'Until the previous one expires (24 h unless `expire_previous_in_seconds` says otherwise, at most 7 days) ' +
        'every delivery carries both signatures.',
      input: rotationInput,
      reveals: {
        secret: 'The new signing secret. Shown only here: store it now.',
        previous_secret_expires_at: "When deliveries stop carrying the previous secret's signature.",
      },
      run: async ({ row, input, ctx }) => {
        const expiresAt = previousSecretExpiry(ctx.now, input);
        ctx.tx.defer({
          sql:
            'UPDATE webhook_endpoint_secrets SET expires_at = $2 ' +
            'WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $2)',
          parameters: [row.id, expiresAt],
        });
        const secret = newWebhookSecret();
        storeSecret(ctx, row.id, secret);
        return {
          data: {
            ...serialize(ctx.registry.get('webhook-endpoints'), row),
            secret,
            previous_secret_expires_at: expiresAt,
          },
        };
      },
    },
    test: {
      summary: 'Send a test event now',
      description:
        'Sends a `webhook.test` event to this endpoint only and answers with the delivery attempt ' +
        '(status, HTTP status, latency, response body). Test events are not retried.',
      respondsWith: 'webhook-deliveries',
      run: async ({ row, ctx }) => {
        const service = webhookService(ctx);
        const eventId = newId('evt');
        ctx.tx.defer(
          platformEventStatement(
            ctx.tx.accountId,
            'webhook.test',
            { object: 'webhook_test', endpoint: row.id },
            ctx.now,
            eventId,
          ),
        );
        // Due never: only deliverNow picks it up, right after the commit.
        ctx.tx.defer({
          sql: `INSERT INTO webhook_queue (account_id, event_id, endpoint_id, status, attempts, next_attempt_at,
                created_at, updated_at)
                VALUES ($1, $2, $3, 'pending', 0, 'infinity', $4, $4)`,
          parameters: [ctx.tx.accountId, eventId, row.id, ctx.now],
        });
        return { data: {}, afterCommit: async () => ({ data: await service.deliverNow(eventId, row.id) }) };
      },
    },
    recover: {
      summary: 'Redeliver failed deliveries since a time',
      description:
        'Queues again every delivery to this endpoint that failed for good since `since` ' +
        '(events created at or after it).',
      from: ['enabled'],
      status: 202,
      input: z.strictObject({ since: timestampSchema() }),
      answers: z.object({
        object: z.literal('webhook_recovery'),
        endpoint: z.string(),
        since: z.string(),
        requeued: z.int().describe('Deliveries queued again.'),
      }),
      run: async ({ row, input, ctx }) => {
        const [{ count }] = await ctx.tx.query({
          sql: `WITH requeued AS (
                  UPDATE webhook_queue SET status = 'pending', attempts = 0, first_attempt_at = NULL,
                    next_attempt_at = $3, locked_until = NULL, updated_at = $3
                   WHERE endpoint_id = $1 AND status = 'failed' AND created_at >= $2 RETURNING 1)
                SELECT count(*)::int AS count FROM requeued`,
          parameters: [row.id, input.since, ctx.now],
        });
        const response = {
          data: { object: 'webhook_recovery', endpoint: row.id, since: input.since, requeued: Number(count) },
        };
        const service = webhookService(ctx);
        return {
          ...response,
          afterCommit: async () => {
            service.wake();
            return response;
          },
        };
      },
    },
  },
  schema: WEBHOOK_SCHEMA,
});
