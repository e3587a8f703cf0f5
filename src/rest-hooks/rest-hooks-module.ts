// REST Hooks for Zapier and similar platforms: subscribe and unsubscribe a URL to one event type
// (on the webhook system: signed, retried, logged), poll the latest events of a type, and test a
// connection. README: "Zapier and REST Hooks".
import { defineModule } from '../platform/api/module.ts';
import { REST_HOOK_MIGRATIONS } from './rest-hook-migrations.ts';
import { subscriptionOperations } from './subscription-operations.ts';
import { pollOperation } from './poll-operation.ts';
import { whoamiOperation } from './whoami-operation.ts';

export const restHooksModule = defineModule({
  name: 'rest-hooks',
  operations: () => [...subscriptionOperations, pollOperation, whoamiOperation],
  migrations: REST_HOOK_MIGRATIONS,
  document: {
    tags: {
      RestHook:
        'REST Hooks for Zapier, Make, n8n and the like: subscriptions that are webhook endpoints of one event ' +
        'type, the latest events of a type for polling, and a connection test.',
    },
  },
});
