// Test mode (README "Test mode"): test keys act in the account's sandbox, a linked account of
// its own; events and webhooks say `livemode`; the sandbox's mail, SMS and push are recorded as
// `simulated` by the channels' relays, never handed to a provider.
import { defineModule } from '../platform/api/module.ts';
import { SANDBOX_MIGRATIONS } from './sandbox-migrations.ts';

export const sandboxModule = defineModule({
  name: 'sandbox',
  migrations: SANDBOX_MIGRATIONS,
});
