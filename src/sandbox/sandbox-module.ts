// Test mode (README "Test mode"): test keys act in the account's sandbox, a linked account of
// its own; events and webhooks say `livemode`; the sandbox's mail, SMS and push are recorded as
// `simulated` by the channels' relays, never handed to a provider; POST /v1/sandbox/reset empties it.
import { defineModule } from '../platform/api/module.ts';
import { SANDBOX_MIGRATIONS } from './sandbox-migrations.ts';
import { sandboxResetOperation } from './sandbox-reset.ts';

export const sandboxModule = defineModule({
  name: 'sandbox',
  operations: () => [sandboxResetOperation],
  migrations: SANDBOX_MIGRATIONS,
});
