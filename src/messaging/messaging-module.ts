// Messaging infrastructure the CRM sends through: the SMS outbox (the channel adapters hand
// outbound messages to it and the mail outbox), template rendering, and consent: STOP replies
// and the unsubscribe link of campaign mail.
import { defineModule, provide } from '../platform/api/module.ts';
import { smsConsent } from '../delivery/sms/sms-consent.ts';
import { providerConsent } from './sms-opt-out.ts';
import { MESSAGING_MIGRATIONS } from './messaging-migrations.ts';
import { unsubscribeOperations } from './unsubscribe.ts';

export const messagingModule = defineModule({
  name: 'messaging',
  migrations: MESSAGING_MIGRATIONS,
  operations: () => unsubscribeOperations,
  document: { tags: { Unsubscribe: 'Where the unsubscribe link of campaign mail leads (RFC 8058 one-click).' } },
  provides: [provide(smsConsent, providerConsent, () => ({}))],
});
