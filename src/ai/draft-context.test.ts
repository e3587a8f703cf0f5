// Gathering a draft's records on a real database: what is read, what is not (another account's
// look-alikes, closed work, unpublished articles, collections the credential may not read).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestAccount, type TestContext } from '../../test/support/test-context.ts';
import { seedDraftAccount, FURNACE_QUESTION, type DraftSeed } from '../../test/support/draft-seed.ts';
import { accountPrincipal, type Principal } from '../platform/operations/principal.ts';
import { ApiError } from '../platform/errors.ts';
import { gatherDraftRecords } from './draft-context.ts';

let t: TestContext;
let account: TestAccount;
let seed: DraftSeed;
let otherSeed: DraftSeed;

const ALL = ['read:*'];
const principal = (accountId: string, scopes: string[]): Principal => ({
  ...accountPrincipal(accountId),
  scopes: new Set(scopes),
});

before(async () => {
  t = await createTestContext();
  account = await t.newAccount('Quill Heating');
  const other = await t.newAccount('Marble Heating');
  seed = await seedDraftAccount(t, account, 'Quillfeather');
  otherSeed = await seedDraftAccount(t, other, 'Marblestone');
});
after(() => t.close());

test("the conversation's messages, customer, contact, open jobs, unpaid invoices and matching articles", async () => {
  const records = await gatherDraftRecords(t.runtime, principal(account.id, ALL), seed.conversationId);
  assert.deepEqual(
    records.messages.map((m) => m.id),
    seed.messageIds,
  );
  assert.equal(records.messages[1].body, FURNACE_QUESTION);
  assert.equal(records.messages[1].direction, 'inbound');
  assert.match(records.messages[0].created_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(records.customer?.id, seed.customerId);
  assert.equal(records.customer?.name, 'Ada Quillfeather');
  assert.ok(!('notes' in records.customer!), "the team's internal notes are not for a customer's reply");
  assert.equal(records.contact?.id, seed.contactId);
  assert.deepEqual(
    records.jobs.map((j) => j.id),
    [seed.openJobId],
    'open jobs only',
  );
  assert.deepEqual(
    records.invoices.map((i) => i.id),
    [seed.unpaidInvoiceId],
    'sent and unpaid only',
  );
  assert.equal(records.invoices[0].amount_due, 12_500);
  assert.deepEqual(
    records.articles.map((a) => a.id),
    [seed.articleId],
    'published and matching only',
  );
  assert.deepEqual(records.withheld, []);
  const text = JSON.stringify(records);
  assert.ok(!text.includes('Marblestone'), 'nothing of the other account');
  for (const id of Object.values(otherSeed).flat()) assert.ok(!text.includes(id), id);
});

test('a collection the credential cannot read contributes nothing and is named', async () => {
  const narrow = principal(account.id, ['read:conversations', 'read:messages', 'read:customers', 'read:jobs']);
  const records = await gatherDraftRecords(t.runtime, narrow, seed.conversationId);
  assert.deepEqual(records.invoices, []);
  assert.deepEqual(records.articles, []);
  assert.equal(records.contact, null);
  assert.deepEqual(
    records.jobs.map((j) => j.id),
    [seed.openJobId],
  );
  assert.deepEqual(records.withheld, ['contacts', 'invoices', 'knowledge-base-articles']);
  assert.ok(!JSON.stringify(records).includes('Quillfeather-UNPAID'));
});

test('without read:messages or read:conversations there is no draft (403 naming the scope)', async () => {
  for (const [scopes, missing] of [
    [['read:conversations'], 'read:messages'],
    [['read:messages', 'read:customers'], 'read:conversations'],
  ] as const) {
    await assert.rejects(
      gatherDraftRecords(t.runtime, principal(account.id, [...scopes]), seed.conversationId),
      (error: unknown) =>
        error instanceof ApiError && error.code === 'insufficient_scope' && error.extra.required_scope === missing,
    );
  }
});

test("another account's conversation, or a malformed id, is a 404", async () => {
  for (const id of [otherSeed.conversationId, 'cnv_nope', seed.customerId])
    await assert.rejects(
      gatherDraftRecords(t.runtime, principal(account.id, ALL), id),
      (error: unknown) => error instanceof ApiError && error.code === 'not_found',
      id,
    );
});
