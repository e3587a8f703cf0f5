// What the REST-hook operations take and answer, and the checks every one of them makes of an
// event type: one the catalogue has, that is fanned out to subscribers (not one addressed to a
// single endpoint), which a subscriber names alone (no `*`).
import { z } from 'zod';
import { validationFailed } from '../platform/errors.ts';
import { ADDRESSED_EVENT_TYPES } from '../webhooks/webhook-schema.ts';
import type { Registry } from '../platform/contract.ts';

export const HOOK_ID_PATTERN = '^hook_';

export const Subscribe = z.strictObject({
  target_url: z
    .string()
    .max(2048)
    .describe(
      'Where each event is POSTed, signed (Standard Webhooks): an https URL on the public internet. Zapier gives ' +
        '`bundle.targetUrl`.',
    )
    .meta({ examples: ['https://hooks.zapier.com/hooks/standard/123/abc/'] }),
  event: z
    .string()
    .max(100)
    .describe('One event type of the catalogue (`x-fieldline-events`), e.g. `customer.created`.')
    .meta({ examples: ['customer.created'] }),
});

export const RestHook = z.object({
  id: z.string().describe('The subscription id (`hook_...`): what DELETE /v1/hooks/{id} takes.'),
  object: z.literal('rest_hook'),
  event: z.string(),
  target_url: z.string(),
  webhook_endpoint_id: z
    .string()
    .describe('The webhook endpoint that delivers it: its deliveries are in `/v1/webhook-deliveries`.'),
  created_at: z.string(),
});

export const SubscribedHook = RestHook.extend({
  secret: z.string().describe("The endpoint's signing secret (`whsec_...`), to verify deliveries. Shown only here."),
});

export const EventObject = z.object({
  id: z.string(),
  object: z.literal('event'),
  type: z.string(),
  api_version: z.string(),
  created_at: z.string(),
  data: z.object({
    object: z.record(z.string(), z.unknown()),
    previous_attributes: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** A 422 at `path` unless `type` is an event type one may subscribe to alone. */
export function assertSubscribable(registry: Registry, type: string, path: string): void {
  const problem =
    type === '*'
      ? 'name one event type (a REST hook receives one)'
      : (ADDRESSED_EVENT_TYPES as readonly string[]).includes(type)
        ? `'${type}' events are sent to one endpoint only, never to subscribers`
        : !registry.eventTypes().some((event) => event.type === type)
          ? `'${type}' is not an event type (see x-fieldline-events in the OpenAPI document)`
          : null;
  if (problem) throw validationFailed([{ path, message: problem }]);
}

export const presentHook = (row: Record<string, any>) => ({
  id: row.id as string,
  object: 'rest_hook' as const,
  event: row.event as string,
  target_url: row.target_url as string,
  webhook_endpoint_id: row.endpoint_id as string,
  created_at: row.created_at as string,
});
