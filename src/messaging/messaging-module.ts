// Messaging infrastructure the CRM sends through: the SMS outbox (the channel adapters hand
// outbound messages to it and the mail outbox) and template rendering.
import { defineModule } from '../platform/api/module.ts';
import { MESSAGING_MIGRATIONS } from './messaging-migrations.ts';

export const messagingModule = defineModule({ name: 'messaging', migrations: MESSAGING_MIGRATIONS });
