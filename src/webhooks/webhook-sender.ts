// One delivery attempt: POST the event, signed per Standard Webhooks, to the endpoint, under the
// target policy (src/webhooks/guarded-post.ts).
import { Webhook } from 'standardwebhooks';
import { guardedPost, type PostOutcome, type SendOptions } from './guarded-post.ts';

export interface OutgoingWebhook {
  url: string;
  /** webhook-id: the event id, the same on every retry, so receivers can deduplicate. */
  messageId: string;
  payload: string;
  /** Plain `whsec_` secrets; during a rotation both the new and the old one sign. */
  secrets: string[];
}

export type DeliveryOutcome = Omit<PostOutcome, 'location'>;

export function signatureHeaders(messageId: string, payload: string, secrets: string[], at: Date) {
  const signature = secrets.map((secret) => new Webhook(secret).sign(messageId, at, payload)).join(' ');
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

export function sendWebhook(webhook: OutgoingWebhook, options: SendOptions): Promise<DeliveryOutcome> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Fieldline-Webhooks/1',
    ...signatureHeaders(webhook.messageId, webhook.payload, webhook.secrets, new Date((options.now ?? Date.now)())),
  };
  return guardedPost(webhook.url, { headers, body: Buffer.from(webhook.payload) }, options);
}
