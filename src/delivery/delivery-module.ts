// Delivery: what the CRM sends reaches people, and the account sees that it did. Invoices,
// estimates, quotes and purchase orders print as PDF with the account's branding and their send
// action mails them; texts go to the SMS provider; every message is logged in `deliveries`, kept
// in step by its channel. Members are told of their work (a job assigned, moved, cancelled) in
// the app and, by their preferences, by push, mail or text. Invoices past due turn overdue and
// their customers are reminded.
import { defineModule, provide } from '../platform/api/module.ts';
import type { RuntimeOptions } from '../platform/contract.ts';
import { serviceKey } from '../platform/api/service-key.ts';
import { mailOutcomeLog } from '../mail/mail-module.ts';
import { brandingOperations } from './branding.ts';
import { deliveries } from './deliveries.ts';
import { mailOutcomeStatements } from './delivery-log.ts';
import { DELIVERY_MIGRATIONS } from './delivery-migrations.ts';
import { documentLinkOperation } from './documents/document-links.ts';
import { printableDocuments } from './documents/document-resources.ts';
import { twilioProvider, type SmsSettings } from './sms/sms-provider.ts';
import { SmsRelay } from './sms/sms-relay.ts';
import { smsConsent } from './sms/sms-consent.ts';
import { smsStatusOperation, smsStatusUrl } from './sms/sms-status-operation.ts';
import { DELIVERY_EVENTS } from './delivery-log.ts';
import { InvoiceDunning } from './dunning/invoice-dunning.ts';
import { pushSubscriptions } from './push/push-subscriptions.ts';
import { vapidKeyOperation } from './push/push-endpoints.ts';
import { notificationPolicy } from './notify/notification-policy.ts';
import { mentionPolicy } from './notify/mentions.ts';
import { notificationPreferenceOperations } from './notify/notification-preferences.ts';
import { PushRelay } from './push/push-relay.ts';
import { pushRelay, vapidKeys } from './push/push-services.ts';
import { VapidKeyStore, type VapidSettings } from './push/vapid-keys.ts';

declare module '../platform/contract.ts' {
  interface RuntimeOptions {
    /** Texts go to this provider (Twilio's API); absent: they wait in the SMS outbox, `not_configured`. */
    sms?: SmsSettings;
    /** How often overdue invoices are swept (one node per round); default 10 minutes. */
    dunningIntervalMs?: number;
    /** The VAPID identity of pushes; without keys, a pair is made once and kept (sealed) in the database. */
    push?: Partial<VapidSettings>;
  }
}

/** Turns invoices past due overdue and mails their reminders. */
export const invoiceDunning = serviceKey<InvoiceDunning>('the invoice dunning sweep');

/** Hands the SMS outbox to the provider (a relay with nothing to do when none is configured). */
export const smsRelay = serviceKey<SmsRelay>('the SMS relay');

/** Who push services may contact: the server's https address, else the sender of its mail. */
function vapidSubject(options: RuntimeOptions): string {
  if (options.publicUrl.startsWith('https:')) return options.publicUrl;
  const from = options.smtp?.from ?? 'no-reply@fieldline.localhost';
  return `mailto:${/<([^>]+)>/.exec(from)?.[1] ?? from}`;
}

const EVENT_DESCRIPTIONS: Record<(typeof DELIVERY_EVENTS)[number], string> = {
  sent: 'An email or SMS was accepted by its provider (SMTP server, SMS provider).',
  delivered: "The SMS provider reports the text delivered to the recipient's phone.",
  failed: 'An email or SMS could not be delivered: given up after retries, or refused by the provider.',
  undelivered: 'The SMS provider reports the text could not be delivered to the phone (switched off, blocked).',
};

export const deliveryModule = defineModule({
  name: 'delivery',
  resources: [deliveries, pushSubscriptions],
  extend: printableDocuments,
  operations: () => [
    ...brandingOperations,
    documentLinkOperation,
    smsStatusOperation,
    vapidKeyOperation,
    ...notificationPreferenceOperations,
  ],
  reactions: [...notificationPolicy, ...mentionPolicy],
  events: DELIVERY_EVENTS.map((state) => ({
    type: `delivery.${state}`,
    collection: 'deliveries',
    description: EVENT_DESCRIPTIONS[state],
  })),
  migrations: DELIVERY_MIGRATIONS,
  document: { tags: { Documents: 'Documents customers open from the links in their mail.' } },
  provides: [
    provide(
      mailOutcomeLog,
      ({ db }) => mailOutcomeStatements(db),
      () => ({}),
    ),
    provide(
      smsRelay,
      (runtime) =>
        new SmsRelay(runtime.db, runtime.logger, {
          provider: runtime.options.sms ? twilioProvider(runtime.options.sms) : null,
          callbackUrl: (outboxId) => smsStatusUrl(runtime.options, outboxId),
          consent: () => runtime.find(smsConsent),
        }),
    ),
    provide(
      vapidKeys,
      ({ db, secrets, options }) =>
        new VapidKeyStore(db, secrets, { ...options.push, subject: options.push?.subject ?? vapidSubject(options) }),
      () => ({}),
    ),
    provide(
      pushRelay,
      (runtime) =>
        new PushRelay(runtime, runtime.logger, runtime.use(vapidKeys), {
          allowPrivate: runtime.options.webhooks?.allowPrivate ?? false,
        }),
    ),
    provide(
      invoiceDunning,
      (runtime) => new InvoiceDunning(runtime, runtime.logger, runtime.options.dunningIntervalMs),
    ),
  ],
});
