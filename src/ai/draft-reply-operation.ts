// POST /v1/conversations/{id}/draft-reply: a suggested reply from the account's LLM provider,
// built from the conversation and what the account knows of its customer. Nothing is sent. Three
// steps, never a transaction held open while the model thinks (PGlite has one connection; a
// PostgreSQL pool would lose one per slow answer): gather in one short read, ask the model, and,
// with `store`, keep the draft as a `draft` message in a second short transaction.
import { z } from 'zod';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { defineOperation } from '../platform/api/define-operation.ts';
import type { Operation } from '../platform/api/operation.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { insertValidated } from '../platform/operations/create.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { schemaName } from '../platform/naming.ts';
import type { Principal } from '../platform/operations/principal.ts';
import type { Registry, Runtime } from '../platform/contract.ts';
import { completeChat } from './llm-client.ts';
import { actorOf } from '../credits/credit-costs.ts';
import { DRAFT_REQUIRED_SCOPES, gatherDraftRecords } from './draft-context.ts';
import { assembleDraftPrompt, DRAFT_LIMITS, DRAFT_TONES } from './draft-prompt.ts';

/** A message body's own limit: a stored draft must be a message the API would accept. */
const MAX_BODY = 20_000;

/** Room for the reply the channel wants; a text message is short. */
const MAX_TOKENS: Record<string, number> = { sms: 300, chat: 600, email: 1_200 };

const DraftReplyInput = z.strictObject({
  instructions: z
    .string()
    .trim()
    .min(1)
    .max(DRAFT_LIMITS.instructionsChars)
    .optional()
    .describe('What the reply should say or do ("offer Tuesday morning"); quoted to the model as your wishes.'),
  tone: z.enum(DRAFT_TONES).default('professional'),
  store: z
    .boolean()
    .default(false)
    .describe('Also keep the draft as a message of the conversation with status `draft` (never sent).'),
});

const ids = (description: string) => z.array(z.string()).describe(description);

const DraftReply = z.object({
  object: z.literal('draft_reply'),
  conversation_id: z.string(),
  body: z.string().describe('The suggested reply. Not sent.'),
  tone: z.enum(DRAFT_TONES),
  sources: z
    .object({
      message_ids: ids('The messages the model read, oldest first.'),
      customer_id: z.string().nullable(),
      job_ids: ids("The customer's open jobs it read."),
      invoice_ids: ids("The customer's unpaid invoices it read."),
      article_ids: ids('The published knowledge-base articles that matched the latest customer message.'),
    })
    .describe('What the prompt held.'),
  withheld: z
    .array(z.string())
    .describe('Collections the credential cannot read (`read:{collection}`), so the prompt held nothing of them.'),
  provider: z.object({ id: z.string(), kind: z.enum(['openai', 'anthropic']), model: z.string() }),
  usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }),
  message_id: z.string().optional().describe('With `store`: the `draft` message kept on the conversation.'),
});

/** The draft as a message of the conversation, in its own short transaction. */
async function storeDraft(
  runtime: Runtime,
  principal: Principal,
  requestId: string,
  conversationId: string,
  body: string,
): Promise<string> {
  return withTenantTransaction(runtime.db, principal.accountId, async (tx) => {
    const ctx = createOperationContext(tx, principal, runtime, requestId);
    // Checked again: the conversation may have gone while the model was answering.
    const conversation = await loadRowOrThrow(ctx, runtime.registry.get('conversations'), conversationId);
    const row = await insertValidated(ctx, runtime.registry.get('messages'), {
      conversation_id: conversation.id,
      direction: 'outbound',
      status: 'draft',
      subject: conversation.channel === 'email' ? (conversation.subject ?? null) : null,
      body,
    });
    return row.id as string;
  });
}

export function draftReplyOperation(registry: Registry): Operation {
  const conversations = registry.get('conversations');
  return defineOperation({
    method: 'post',
    path: '/v1/conversations/{id}/draft-reply',
    operationId: 'draftConversationReply',
    feature: 'ai',
    tag: schemaName(conversations),
    collection: conversations.collection,
    singular: conversations.name,
    // Drafting is the start of replying (and `store` writes a message): who may reply may draft.
    scope: 'write:messages',
    bucket: 'expensive',
    params: { id: { pattern: `^${conversations.idPrefix}_` } },
    summary: "Draft a reply with the account's LLM provider (nothing is sent)",
    description:
      "Asks the account's default LLM provider for a reply to the conversation's latest customer message, from its " +
      `last ${DRAFT_LIMITS.messages} messages, the customer and contact, the customer's open jobs and unpaid ` +
      'invoices, and the published knowledge-base articles that best match the latest message. Nothing is sent; ' +
      'with `store: true` the draft is also kept as a message with status `draft`, which no channel ever sends. ' +
      `Needs \`write:messages\` and ${DRAFT_REQUIRED_SCOPES.map((s) => `\`${s}\``).join(' and ')}; ` +
      "customers, contacts, jobs, invoices and articles reach the prompt only with their collection's read scope " +
      '(those left out are listed in `withheld`). Without a provider: 409 `llm_provider_missing`; the ' +
      "provider's failure or timeout: 502 `llm_provider_error` / 504 `llm_provider_timeout`, nothing stored.",
    body: DraftReplyInput,
    response: DraftReply,
    errors: [404, 409, 422, 429, 502, 504],
    async handle({ runtime, principal, params, body, requestId }) {
      const records = await gatherDraftRecords(runtime, principal, params.id);
      if (records.conversation.channel === 'voice')
        throw validationFailed([
          { path: 'id', message: 'A voice conversation has no written replies; its calls are call logs' },
        ]);
      const prompt = assembleDraftPrompt(records, { tone: body.tone, instructions: body.instructions });
      const answer = await completeChat(
        runtime,
        principal.accountId,
        {
          system: prompt.system,
          messages: prompt.messages,
          maxTokens: MAX_TOKENS[records.conversation.channel] ?? MAX_TOKENS.email,
          purpose: 'draft_reply',
        },
        { actor: actorOf(principal) },
      );
      const text = answer.text.trim().slice(0, MAX_BODY);
      if (!text)
        throw new ApiError('llm_provider_error', 'The LLM provider answered with no text; nothing was drafted');
      const messageId = body.store
        ? await storeDraft(runtime, principal, requestId, records.conversation.id, text)
        : undefined;
      const data: z.infer<typeof DraftReply> = {
        object: 'draft_reply',
        conversation_id: records.conversation.id,
        body: text,
        tone: body.tone,
        sources: {
          message_ids: prompt.sources.message_ids,
          customer_id: (records.customer?.id as string | undefined) ?? null,
          job_ids: prompt.sources.job_ids,
          invoice_ids: prompt.sources.invoice_ids,
          article_ids: prompt.sources.article_ids,
        },
        withheld: records.withheld,
        provider: answer.provider,
        usage: { input_tokens: answer.usage.inputTokens, output_tokens: answer.usage.outputTokens },
        ...(messageId ? { message_id: messageId } : {}),
      };
      return { status: 200, body: { data } };
    },
  });
}
