// What webhook-endpoint hooks and actions need at run time, by key (the webhooks module
// provides the dispatcher), and the options the module reads.
import type { DispatcherOptions, WebhookDispatcher } from './webhook-dispatcher.ts';
import type { OperationContext } from '../platform/contract.ts';
import { serviceKey } from '../platform/api/service-key.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    webhooks?: {
      /**
       * http:// and private addresses allowed as endpoint URLs (FIELDLINE_WEBHOOK_ALLOW_PRIVATE: tests, development).
       */
      allowPrivate?: boolean;
    } & Partial<Pick<DispatcherOptions, 'now' | 'pollMs' | 'leaseMs' | 'timeoutMs'>>;
  }
}

/** Delivers queued events to endpoints: workers in this process, and at once for tests of an endpoint. */
export const webhookDelivery = serviceKey<WebhookDispatcher>('webhook delivery');

export const webhookService = (ctx: OperationContext): WebhookDispatcher => ctx.runtime.use(webhookDelivery);
