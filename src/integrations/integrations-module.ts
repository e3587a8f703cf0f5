// Integrations (issue 32): connections of an account to third-party providers through their
// OAuth 2.0 consent, the syncs that import from them, and mail sent through a connected mailbox.
// The connector contract (what each provider implements) is src/integrations/connector.ts; the
// connectors are listed in src/integrations/connectors.ts.
import { defineModule, provide } from '../platform/api/module.ts';
import { mailboxRouter } from '../messaging/channel-adapters.ts';
import { syncCalendarsOnJobChange } from './calendar/calendar-sync-on-job-change.ts';
import { integrationOperations, mailboxRelay, syncRunner } from './integration-operations.ts';
import { integrationSyncs } from './integration-syncs-resource.ts';
import { integrations } from './integrations-resource.ts';
import { INTEGRATIONS_MIGRATIONS } from './integrations-migrations.ts';
import { MailboxRelay } from './mailbox-relay.ts';
import { mailboxRouterFor } from './mailbox-outbox.ts';
import { SyncRunner } from './sync-runner.ts';
import { ScheduledSyncs, scheduledSyncs } from './scheduled-syncs.ts';

export const integrationsModule = defineModule({
  name: 'integrations',
  resources: [integrations, integrationSyncs],
  roles: { technician: 'own', dispatcher: 'own', office: 'own', read_only: 'read' },
  migrations: INTEGRATIONS_MIGRATIONS,
  operations: () => integrationOperations,
  reactions: [syncCalendarsOnJobChange],
  provides: [
    provide(syncRunner, (runtime) => new SyncRunner(runtime, runtime.logger)),
    provide(mailboxRelay, (runtime) => new MailboxRelay(runtime, runtime.logger)),
    provide(
      mailboxRouter,
      (runtime) => mailboxRouterFor(() => runtime.use(mailboxRelay).nudge()),
      () => ({}),
    ),
    provide(scheduledSyncs, (runtime) => new ScheduledSyncs(runtime)),
  ],
});
