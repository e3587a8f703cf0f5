// What webhook-endpoint hooks and actions need at run time, reached through ctx.runtime.
import type { OperationContext } from '../platform/operations/operation-context.ts';
import type { SecretBox } from '../platform/secret-box.ts';

export interface WebhookService {
  /** FIELDLINE_WEBHOOK_ALLOW_PRIVATE: http:// and private addresses allowed (tests, development). */
  allowPrivate: boolean;
  secrets: SecretBox;
  /** Delivers the queued (event, endpoint) now and answers with the delivery log entry. */
  deliverNow(eventId: string, endpointId: string): Promise<Record<string, unknown>>;
  /** Wakes the workers (after a commit that queued deliveries without the trigger). */
  wake(): void;
}

declare module '../platform/operations/runtime.ts' {
  interface RuntimeServices {
    webhooks?: WebhookService;
  }
}

export function webhookService(ctx: OperationContext): WebhookService {
  const service = ctx.runtime.services.webhooks;
  if (!service) throw new Error('webhook delivery is not configured in this runtime');
  return service;
}
