// The inbound log: every request a provider sent to one of the account's sources, whether it
// verified, and what it did. Written by the inbound route; the receipts table beside it makes
// each provider event apply once.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { rowLevelSecurity } from '../platform/ddl/resource-ddl.ts';
import { TENANT_ROLE } from '../db/tenant-transaction.ts';
import { INBOUND_PROVIDER_NAMES } from './inbound-providers.ts';

export const INBOUND_OUTCOMES = ['applied', 'ignored', 'duplicate', 'failed', 'rejected'] as const;

export const inboundRequests = defineResource({
  name: 'inbound_request',
  collection: 'inbound-requests',
  idPrefix: 'ibr',
  description:
    'One request received from an inbound source: headers (credentials redacted), body, signature check and outcome.',
  operations: ['list', 'get'],
  limitedBecause: 'The inbound log records what providers sent: written by the inbound route only, never edited.',
  emitsEvents: false,
  listedUnder: [{ collection: 'inbound-sources', segment: 'requests', field: 'source_id' }],
  fields: {
    source_id: field.ref('inbound-sources').readOnly().filterable(['eq', 'in']),
    provider: field.enum(INBOUND_PROVIDER_NAMES).readOnly().filterable(),
    external_id: field
      .text()
      .readOnly()
      .filterable(['eq', 'in'])
      .describe("The provider's event id (Stripe `evt_...`, `webhook-id`)."),
    event_type: field.text().readOnly().filterable(['eq', 'in', 'starts_with']),
    verified: field.boolean().readOnly().filterable(),
    outcome: field
      .enum(INBOUND_OUTCOMES)
      .readOnly()
      .filterable()
      .describe(
        '`applied` changed data; `ignored` was authentic but not ours to act on; `duplicate` was applied before; ' +
          '`failed` could not be applied (answered 422, the provider retries); `rejected` failed verification.',
      ),
    detail: field.text().readOnly().describe('What was done, or why not.'),
    objects: field.tags().readOnly().describe('Ids of the objects created or changed.'),
    http_status: field.integer().readOnly().filterable(['eq', 'gte', 'lt', 'in']),
    headers: field.json(z.record(z.string(), z.string())).readOnly().describe('Request headers, credentials redacted.'),
    body: field.text().readOnly().describe('The body received (secret-looking JSON members redacted), at most 64 KiB.'),
    body_truncated: field.boolean().readOnly(),
  },
  schema: [
    `CREATE TABLE IF NOT EXISTS inbound_receipts (
       source_id text NOT NULL,
       external_id text NOT NULL,
       account_id text NOT NULL REFERENCES accounts (id),
       request_id text NOT NULL,
       created_at timestamptz NOT NULL,
       PRIMARY KEY (source_id, external_id)
     )`,
    `CREATE INDEX IF NOT EXISTS inbound_receipts_created_at_idx ON inbound_receipts (created_at)`,
    `CREATE INDEX IF NOT EXISTS inbound_requests_retention_idx ON inbound_requests (created_at)`,
    ...rowLevelSecurity('inbound_receipts'),
    `GRANT SELECT, INSERT ON inbound_receipts TO ${TENANT_ROLE}`,
  ],
});
