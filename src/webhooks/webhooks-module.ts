// Outbound webhooks: endpoints subscribe to event types; every event is delivered at least
// once to each, signed per Standard Webhooks, retried with backoff and logged; endpoints that
// keep failing are disabled. Events gain a `redeliver` action.
import { defineModule, provide } from '../platform/api/module.ts';
import { deliveryQuota } from '../limits/limits-services.ts';
import { withRedeliver } from './redeliver-event.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import { webhookDeliveries } from './webhook-deliveries-resource.ts';
import { webhookEndpoints } from './webhook-endpoints-resource.ts';
import { webhookDelivery } from './webhook-service.ts';

export const webhooksModule = defineModule({
  name: 'webhooks',
  resources: [webhookEndpoints, webhookDeliveries],
  extend: { events: withRedeliver },
  events: [
    {
      type: 'webhook.test',
      collection: 'webhook-endpoints',
      description: 'Sent by POST /v1/webhook-endpoints/{id}/test to that endpoint only.',
    },
  ],
  provides: [
    provide(webhookDelivery, (runtime) => {
      const { webhooks = {} } = runtime.options;
      return new WebhookDispatcher(runtime.db, {
        ...webhooks,
        allowPrivate: webhooks.allowPrivate ?? false,
        secrets: runtime.secrets,
        logger: runtime.logger,
        quota: runtime.use(deliveryQuota),
        resources: {
          endpoints: runtime.registry.get(webhookEndpoints.collection),
          deliveries: runtime.registry.get(webhookDeliveries.collection),
        },
      });
    }),
  ],
});
