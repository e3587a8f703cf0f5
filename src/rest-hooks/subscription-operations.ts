// REST Hooks (the pattern Zapier, Make and n8n subscribe with): POST /v1/hooks makes an ordinary
// webhook endpoint subscribed to one event type, so deliveries are signed, retried and logged
// like any other and the endpoint shows among the account's webhook endpoints; the rest_hooks row
// marks it as a subscription's, which DELETE /v1/hooks/{id} removes with its endpoint.
import { z } from 'zod';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import { ApiError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { deleteInTransaction } from '../platform/operations/delete.ts';
import { tenantRead } from '../platform/operations/tenant-read.ts';
import type { OperationContext } from '../platform/contract.ts';
import {
  HOOK_ID_PATTERN,
  RestHook,
  Subscribe,
  SubscribedHook,
  assertSubscribable,
  presentHook,
} from './rest-hook-shapes.ts';

const TAG = 'RestHook';
const SCOPES = { read: 'read:webhook-endpoints', write: 'write:webhook-endpoints' };

/** The webhook endpoint's field names, as the subscriber wrote them. */
const SUBSCRIBER_PATHS: Record<string, string> = { url: 'target_url', 'enabled_events.0': 'event' };

/** The endpoint's validation speaks of `url`; the subscriber sent `target_url`. */
function inSubscriberTerms(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed' || !error.extra.errors) return error;
  const errors = error.extra.errors.map((e) => ({ ...e, path: SUBSCRIBER_PATHS[e.path] ?? e.path }));
  const detail = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  return new ApiError('validation_failed', detail, { ...error.extra, errors });
}

async function subscribe(ctx: OperationContext, body: z.infer<typeof Subscribe>) {
  const id = newId('hook');
  const endpoint = await ctx
    .create('webhook-endpoints', {
      url: body.target_url,
      enabled_events: [body.event],
      description: `REST hook subscription ${id} (POST /v1/hooks)`,
    })
    .catch((error) => {
      throw inSubscriberTerms(error);
    });
  const row = { id, endpoint_id: endpoint.id, event: body.event, target_url: body.target_url, created_at: ctx.now };
  ctx.tx.defer({
    sql:
      'INSERT INTO rest_hooks (id, account_id, endpoint_id, event, target_url, created_at) ' +
      'VALUES ($1, $2, $3, $4, $5, $6)',
    parameters: [id, ctx.tx.accountId, row.endpoint_id, row.event, row.target_url, row.created_at],
  });
  return { ...presentHook(row), secret: ctx.revealed.secret as string };
}

async function unsubscribe(ctx: OperationContext, id: string) {
  // Deleting the row first also holds it: a concurrent unsubscribe of the same hook waits, then finds nothing.
  const [hook] = id.startsWith('hook_')
    ? await ctx.tx.query({
        sql: 'DELETE FROM rest_hooks WHERE account_id = $1 AND id = $2 RETURNING endpoint_id',
        parameters: [ctx.tx.accountId, id],
      })
    : [];
  if (!hook) throw new ApiError('not_found', `No such REST hook: '${id}'`);
  // Deleted through /v1/webhook-endpoints meanwhile: the subscription ends all the same.
  const [live] = await ctx.tx.query({
    sql: 'SELECT 1 FROM webhook_endpoints WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL',
    parameters: [ctx.tx.accountId, hook.endpoint_id],
  });
  if (live) await deleteInTransaction(ctx, ctx.registry.get('webhook-endpoints'), hook.endpoint_id);
  return { id, object: 'rest_hook' as const, deleted: true as const };
}

export const subscriptionOperations = [
  defineOperation({
    method: 'post',
    path: '/v1/hooks',
    operationId: 'subscribeRestHook',
    tag: TAG,
    scope: SCOPES.write,
    bucket: 'write',
    summary: 'Subscribe a URL to one event type (REST Hooks)',
    description:
      'For Zapier-style REST Hooks: makes a webhook endpoint for `target_url` receiving `event` only, signed and ' +
      'retried like every webhook, and answers the subscription id to unsubscribe with. The URL obeys the webhook ' +
      'target policy (https, no private networks unless the server allows them): a refused URL is a 422 at ' +
      '`target_url`; an unknown event type a 422 at `event`.',
    body: Subscribe,
    response: SubscribedHook,
    successStatus: 201,
    async handle({ runtime, principal, body, requestId }) {
      assertSubscribable(runtime.registry, body.event, 'event');
      const data = await withTenantTransaction(runtime.db, principal.accountId, (tx) =>
        subscribe(createOperationContext(tx, principal, runtime, requestId), body),
      );
      return { status: 201, body: { data }, location: `/v1/hooks/${data.id}` };
    },
  }),
  defineOperation({
    method: 'delete',
    path: '/v1/hooks/{id}',
    operationId: 'unsubscribeRestHook',
    tag: TAG,
    scope: SCOPES.write,
    bucket: 'write',
    params: { id: { pattern: HOOK_ID_PATTERN } },
    summary: 'Unsubscribe (REST Hooks)',
    description: "Deletes the subscription and its webhook endpoint: nothing more is sent. Another account's is a 404.",
    response: z.object({ id: z.string(), object: z.literal('rest_hook'), deleted: z.literal(true) }),
    async handle({ runtime, principal, params, requestId }) {
      const data = await withTenantTransaction(runtime.db, principal.accountId, (tx) =>
        unsubscribe(createOperationContext(tx, principal, runtime, requestId), params.id),
      );
      return { status: 200, body: { data } };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/v1/hooks',
    operationId: 'listRestHooks',
    tag: TAG,
    scope: SCOPES.read,
    bucket: 'read',
    summary: 'List REST hook subscriptions',
    description: 'Newest first, at most 100 (an account has as many as its Zaps and scenarios).',
    response: z.array(RestHook),
    async handle({ runtime, principal }) {
      const [rows] = await tenantRead(runtime, principal.accountId, [
        {
          sql:
            // A subscription whose endpoint was deleted through /v1/webhook-endpoints has ended.
            'SELECT h.id, h.endpoint_id, h.event, h.target_url, h.created_at FROM rest_hooks h ' +
            'JOIN webhook_endpoints e ON e.account_id = h.account_id AND e.id = h.endpoint_id ' +
            'AND e.deleted_at IS NULL ' +
            'WHERE h.account_id = $1 ORDER BY h.created_at DESC, h.id DESC LIMIT 100',
          parameters: [principal.accountId],
        },
      ]);
      return { status: 200, body: { data: rows.map(presentHook) } };
    },
  }),
];
