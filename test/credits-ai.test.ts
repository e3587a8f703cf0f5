// Prepaid credits paying for LLM calls (an AI draft, against support/llm-fake.ts on 127.0.0.1): a
// call reserves a credit before the provider is asked and settles its tokens (a credit per 1,000
// started) after; a short balance is 402 with nothing sent to the provider; a failed call gives
// its credits back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { startLlmFake, type LlmFake } from './support/llm-fake.ts';
import { assertProblem } from './support/problem-assertions.ts';
import { seedDraftAccount } from './support/draft-seed.ts';
import { LLM_MAX_RETRIES } from '../src/ai/openai-chat.ts';
import { changeCredits } from '../src/credits/credit-ledger.ts';

let t: TestContext;
let fake: LlmFake;
let account: TestAccount;
let conversationId: string;

before(async () => {
  fake = await startLlmFake();
  t = await createTestContext();
  account = await t.newAccount('Credit Drafts Co');
  conversationId = (await seedDraftAccount(t, account, 'Creditline')).conversationId;
  const provider = await t.call('POST', '/v1/llm-providers', {
    key: account.key,
    body: {
      name: 'Fake',
      kind: 'openai',
      model: 'gpt-test',
      base_url: fake.openaiBaseUrl,
      api_key: 'sk-test-credits-0123456789',
      is_default: true,
    },
  });
  assert.equal(provider.status, 201, provider.text);
});
after(async () => {
  await t.close();
  await fake.close();
});

const draft = () => t.call('POST', `/v1/conversations/${conversationId}/draft-reply`, { key: account.key, body: {} });
async function credits() {
  const response = await t.call('GET', '/v1/billing/credits', { key: account.key });
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}
const grant = (amount: number) => changeCredits(t.db, account.id, { amount, reason: 'grant', actor: 'system' });

describe('LLM calls paid by credits', () => {
  test('a call costs a credit per 1,000 tokens started; at zero: 402, the provider hears nothing', async () => {
    await grant(3);
    fake.reply({ text: 'Try the reset button.', usage: { input: 1_500, output: 600 } });
    const drafted = await draft();
    assert.equal(drafted.status, 200, drafted.text);
    const data = await credits();
    assert.equal(data.balance, 0);
    const [settled, reserved] = data.ledger;
    assert.deepEqual(
      [reserved.reason, reserved.feature, reserved.delta, settled.delta],
      ['consume', 'ai', -1, -2],
      '2,100 tokens: 3 credits, one reserved and two settled',
    );
    assert.equal(settled.reference, reserved.reference);
    assert.match(reserved.actor, /^api_key:/);

    const asked = fake.requests.length;
    const refused = assertProblem(await draft(), 402, 'payment_required');
    assert.deepEqual([refused.balance, refused.required], [0, 1]);
    assert.equal(fake.requests.length, asked, 'nothing reached the provider');
    assert.equal((await credits()).balance, 0);
  });

  test('settling never takes the balance below zero', async () => {
    await grant(1);
    fake.reply({ text: 'A long answer.', usage: { input: 4_000, output: 1_000 } });
    assert.equal((await draft()).status, 200);
    const data = await credits();
    assert.equal(data.balance, 0);
    assert.equal(data.ledger[0].delta, -1, 'only the reservation: nothing was left to settle with');
  });

  test('a provider failure gives the reservation back', async () => {
    await grant(2);
    fake.failNext({ status: 500 }, LLM_MAX_RETRIES + 1);
    assertProblem(await draft(), 502, 'llm_provider_error');
    const data = await credits();
    assert.equal(data.balance, 2);
    const [refund, consume] = data.ledger;
    assert.deepEqual([refund.reason, refund.delta, consume.reason, consume.delta], ['refund', 1, 'consume', -1]);
    assert.equal(refund.reference, consume.reference);
  });
});
