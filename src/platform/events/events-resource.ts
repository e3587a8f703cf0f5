// The event log as a read-only resource: GET /v1/events and /v1/events/{id}, paged and
// filtered like any list. Rows are written by appendEvent, never through the API. A caller sees
// the events of what it may read (readable-event-types.ts).
import { z } from 'zod';
import { defineResource } from '../resource/define-resource.ts';
import { field } from '../resource/fields.ts';
import { readableEventTypes } from './readable-event-types.ts';
import { ACTOR_TYPES } from '../../audit/actor.ts';

export const events = defineResource({
  name: 'event',
  collection: 'events',
  idPrefix: 'evt',
  description:
    'A change in the account: the object after it, and for updates the attributes before it. ' +
    'Listed for the collections the credential may read (`read:customers` for `customer.*`).',
  operations: ['list', 'get'],
  limitedBecause:
    'The event log is written by every change and never edited: it is what webhooks and the event stream deliver.',
  emitsEvents: false,
  readableRows: (principal, registry) => {
    const types = readableEventTypes(registry, principal);
    return types && { field: 'type', values: types };
  },
  // Who made each change, to find an actor's events (the API shows it as `data.actor`).
  schema: [
    'ALTER TABLE events ADD COLUMN IF NOT EXISTS actor_type text',
    'ALTER TABLE events ADD COLUMN IF NOT EXISTS actor_id text',
  ],
  fields: {
    type: field
      .text()
      .readOnly()
      .filterable(['eq', 'in', 'starts_with'])
      .describe('`{object}.{verb}`, e.g. `job.completed`.')
      .example('job.completed'),
    data: field
      .json(
        z.object({
          object: z.record(z.string(), z.unknown()),
          previous_attributes: z.record(z.string(), z.unknown()).optional(),
          actor: z
            .object({
              type: z.enum(ACTOR_TYPES),
              id: z.string().nullable(),
              on_behalf_of: z.string().nullable(),
            })
            .optional(),
        }),
      )
      .readOnly()
      .keepKeyOrder()
      .describe(
        "`object` is the resource after the change; `previous_attributes` holds changed fields' old values; " +
          '`actor` says who made it: a `member`, `api_key`, `oauth_app` (`on_behalf_of` the member who granted ' +
          'it), `automation` rule, `operator`, `customer` or the `system` (id null). Events written before ' +
          'actors were recorded have none.',
      ),
    request_id: field.text().readOnly().describe('The API request that caused the event.'),
    livemode: field
      .boolean()
      .default(true)
      .readOnly()
      .filterable()
      .describe('False for an event of test mode (in a sandbox account, README "Test mode").'),
  },
});
