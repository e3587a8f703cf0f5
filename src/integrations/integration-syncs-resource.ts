// Integration syncs: one row per run of a connector's sync, and its report (created, updated,
// skipped, failed). Written by the sync runner (src/integrations/sync-runner.ts), read-only here.
import { z } from 'zod';
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import type { Principal } from '../platform/operations/principal.ts';
import { ownConnectionsOnly } from './integrations-resource.ts';

export const SYNC_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** The first failures of a run, for a person to look at. */
export const MAX_REPORTED_FAILURES = 20;

export const integrationSyncs = defineResource({
  name: 'integration_sync',
  collection: 'integration-syncs',
  idPrefix: 'isy',
  description:
    "One run of an integration's sync (`POST /v1/integrations/{provider}/sync`), and what it did: records " +
    'created, updated, skipped (already imported) and failed. Runs are incremental (they start where the last ' +
    'one stopped), resume after a crash or a provider outage, and wait when the provider asks (429).',
  operations: ['list', 'get'],
  limitedBecause:
    'A sync run is a report written by the sync runner; start one with POST /v1/integrations/{provider}/sync.',
  emitsEvents: false,
  assignment: { field: 'member_id' },
  roles: { technician: 'own', dispatcher: 'own', office: 'own', read_only: 'read' },
  // A member limited to their own connections sees only their connections' runs.
  readableRows: (principal: Principal) =>
    ownConnectionsOnly(principal) ? { field: 'member_id', values: principal.userId ? [principal.userId] : [] } : null,
  fields: {
    integration_id: field.ref('integrations').required().filterable().expand('integration'),
    provider: field.text({ max: 40 }).required().filterable(),
    member_id: field.ref('users').filterable().describe('The member whose own connection synced (a calendar).'),
    kind: field.text({ max: 40 }).required().filterable().describe("The connector's kind of sync (`mail`)."),
    status: field
      .enum(SYNC_STATES)
      .default('queued')
      .filterable()
      .describe(
        '`queued` until a worker takes it (again after a pause: `run_after`), `running`, then `succeeded` or ' +
          '`failed` (`error` says why).',
      ),
    trigger: field
      .enum(['manual', 'scheduled', 'change'])
      .default('manual')
      .filterable()
      .describe("`change`: queued when a job shown in a member's calendar was booked, moved or cancelled."),
    created_count: field.integer({ min: 0 }).default(0),
    updated_count: field.integer({ min: 0 }).default(0),
    skipped_count: field.integer({ min: 0 }).default(0),
    failed_count: field.integer({ min: 0 }).default(0),
    pages: field.integer({ min: 0 }).default(0).describe('Pages (steps) committed so far.'),
    failures: field
      .json(z.array(z.object({ external_id: z.string(), reason: z.string() })))
      .describe(`The first ${MAX_REPORTED_FAILURES} items that could not be imported, and why.`),
    error: field.text({ max: 1000 }).describe('Why the run failed, or why it waits.'),
    attempts: field.integer({ min: 0 }).default(0).describe('Tries after provider outages (5xx).'),
    run_after: field.datetime().describe('When a queued run is next taken (after a 429, its Retry-After).'),
    claimed_until: field.datetime().describe('A worker holds the run until then; past it, another resumes it.'),
    started_at: field.datetime().filterable().sortable(),
    finished_at: field.datetime().filterable().sortable(),
  },
});
