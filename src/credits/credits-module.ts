// Prepaid credits: accounts that hold a credit balance pay for texts and LLM calls with it. The
// debit happens before the provider is called (src/credits/sms-credits.ts, ai-credits.ts); an
// exhausted balance answers 402 `payment_required` and nothing is sent. README: "Credits".
import { defineModule } from '../platform/api/module.ts';
import { creditBalanceOperation, READ_CREDITS_SCOPE } from './credit-balance-operation.ts';
import { CREDITS_MIGRATIONS } from './credits-migrations.ts';
import { creditTopUpOperation, WRITE_CREDITS_SCOPE } from './credit-top-up.ts';
import { creditTopUpWebhookOperation } from './credit-top-up-webhook.ts';
import { operatorCreditGrantOperation } from './operator-credit-grant.ts';

export const creditsModule = defineModule({
  name: 'credits',
  operations: () => [
    creditBalanceOperation,
    creditTopUpOperation,
    creditTopUpWebhookOperation,
    operatorCreditGrantOperation,
  ],
  scopes: [READ_CREDITS_SCOPE, WRITE_CREDITS_SCOPE],
  migrations: CREDITS_MIGRATIONS,
  document: {
    tags: {
      Credits:
        'Prepaid credits: the balance that pays for texts and LLM calls, its ledger, and top-ups. An exhausted ' +
        'balance answers 402 `payment_required` and nothing is sent or charged.',
    },
  },
});
