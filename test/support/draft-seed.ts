// An account with what a drafted reply reads (test/draft-reply.test.ts, src/ai/draft-context.test.ts):
// a customer with a contact, an email conversation whose latest message asks how to reset a
// tripping furnace, an open and a cancelled job, an unpaid and a draft invoice, and a matching, a
// draft and an unrelated article. Every record carries `marker`, so a test can tell whose data
// reached a prompt: another account seeded with another marker has the same shapes.
import assert from 'node:assert/strict';
import type { TestAccount, TestContext } from './test-context.ts';

export const FURNACE_QUESTION = 'How do I reset the furnace? It keeps tripping every night.';

export interface DraftSeed {
  customerId: string;
  contactId: string;
  conversationId: string;
  /** Oldest first. */
  messageIds: string[];
  openJobId: string;
  cancelledJobId: string;
  unpaidInvoiceId: string;
  draftInvoiceId: string;
  articleId: string;
  draftArticleId: string;
  unrelatedArticleId: string;
}

export async function seedDraftAccount(t: TestContext, account: TestAccount, marker: string): Promise<DraftSeed> {
  const post = async (path: string, body: Record<string, unknown> = {}, status = 201) => {
    const response = await t.call('POST', path, { key: account.key, body });
    assert.equal(response.status, status, `${path}: ${response.text}`);
    return response.body.data as Record<string, any>;
  };
  const customer = await post('/v1/customers', {
    name: `Ada ${marker}`,
    email: `ada.${marker.toLowerCase()}@example.com`,
    notes: `${marker}-INTERNAL-NOTE: prefers mornings`,
  });
  const contact = await post('/v1/contacts', { first_name: `Grace${marker}`, customer_id: customer.id });
  const conversation = await post('/v1/conversations', {
    channel: 'email',
    subject: `Furnace ${marker}`,
    customer_id: customer.id,
    contact_id: contact.id,
    participant_address: `ada.${marker.toLowerCase()}@example.com`,
  });
  const first = await post('/v1/messages', {
    conversation_id: conversation.id,
    body: `${marker}-FIRST-MESSAGE: the heating stopped yesterday.`,
    from_address: `ada.${marker.toLowerCase()}@example.com`,
  });
  // The latest message carries no marker: it is what the articles are searched with.
  const latest = await post('/v1/messages', { conversation_id: conversation.id, body: FURNACE_QUESTION });
  const openJob = await post('/v1/jobs', { title: `Furnace inspection ${marker}-OPEN-JOB`, customer_id: customer.id });
  const cancelledJob = await post('/v1/jobs', { title: `${marker}-CANCELLED-JOB`, customer_id: customer.id });
  await post(`/v1/jobs/${cancelledJob.id}/cancel`, {}, 200);
  const lines = [{ description: `${marker}-LINE service call`, quantity: 1, unit_amount: 12_500 }];
  const unpaid = await post('/v1/invoices', { customer_id: customer.id, line_items: lines, memo: `${marker}-UNPAID` });
  await post(`/v1/invoices/${unpaid.id}/send`, {}, 200);
  const draftInvoice = await post('/v1/invoices', { customer_id: customer.id, memo: `${marker}-DRAFT-INVOICE` });
  const article = await post('/v1/knowledge-base-articles', {
    title: `Resetting a tripped furnace ${marker}-ARTICLE`,
    body: 'Switch the furnace off at the service switch, wait a minute, then switch it back on.',
  });
  await post(`/v1/knowledge-base-articles/${article.id}/publish`, {}, 200);
  const draftArticle = await post('/v1/knowledge-base-articles', {
    title: `Furnace reset (unpublished) ${marker}-DRAFT-ARTICLE`,
    body: 'Reset the furnace when it keeps tripping.',
  });
  const unrelated = await post('/v1/knowledge-base-articles', {
    title: `Paying an invoice online ${marker}-UNRELATED-ARTICLE`,
    body: 'Use the link in the email to pay by card.',
  });
  await post(`/v1/knowledge-base-articles/${unrelated.id}/publish`, {}, 200);
  return {
    customerId: customer.id,
    contactId: contact.id,
    conversationId: conversation.id,
    messageIds: [first.id, latest.id],
    openJobId: openJob.id,
    cancelledJobId: cancelledJob.id,
    unpaidInvoiceId: unpaid.id,
    draftInvoiceId: draftInvoice.id,
    articleId: article.id,
    draftArticleId: draftArticle.id,
    unrelatedArticleId: unrelated.id,
  };
}
