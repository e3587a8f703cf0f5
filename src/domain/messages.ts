// Messages of a conversation. Creating one records an inbound message (what the customer sent,
// from an integration); `POST /v1/messages/send` stores an outbound one and hands it to the
// conversation's channel in the same transaction. Messages are a record: never edited. A drafted
// reply kept for later (`POST /v1/conversations/{id}/draft-reply` with `store`) is an outbound
// message with status `draft`: nothing hands it to a channel, so it never leaves.
import { z } from 'zod';
import { defineResource, resourceEndpoint } from '../platform/resource/define-resource.ts';
import { field, idOfSchema } from '../platform/resource/fields.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import { insertValidated } from '../platform/operations/create.ts';
import { serialize } from '../platform/operations/serialize.ts';
import type { Row } from '../db/database.ts';
import { newId } from '../platform/ids.ts';
import { CHANNEL_ADAPTERS, type Channel } from '../messaging/channel-adapters.ts';
import { applyConsentKeyword, refuseOptedOut } from '../messaging/sms-opt-out.ts';
import type { OperationContext } from '../platform/contract.ts';

/** The contact field a channel sends to, and what a valid address there is (the field kinds' own rules). */
const ADDRESS_OF: Record<string, { field: 'email' | 'phone'; valid: z.ZodType }> = {
  email: { field: 'email', valid: field.email().spec.schema },
  sms: { field: 'phone', valid: field.phone().spec.schema },
};

/** Bookkeeping, not a change anyone acts on: `message.created` is the event. */
function touchConversation(ctx: OperationContext, conversationId: string): void {
  ctx.tx.defer({
    sql: 'UPDATE conversations SET last_message_at = $3 WHERE account_id = $1 AND id = $2',
    parameters: [ctx.tx.accountId, conversationId, ctx.now],
  });
}

/** Where an outbound message goes: the conversation's participant, else its contact's email or phone. */
async function recipientOf(ctx: OperationContext, conversation: Row): Promise<string> {
  const address = ADDRESS_OF[conversation.channel];
  if (!address) return conversation.participant_address ?? conversation.id; // chat: the thread itself
  let to: string | null = conversation.participant_address;
  if (!to && conversation.contact_id) {
    const contact = await loadReferencedOrThrow(
      ctx,
      ctx.registry.get('contacts'),
      conversation.contact_id,
      'conversation_id',
    );
    to = contact[address.field];
  }
  if (!to)
    throw validationFailed([
      {
        path: 'conversation_id',
        message: `The conversation has no ${address.field} to send to: set its participant_address or contact`,
      },
    ]);
  if (!address.valid.safeParse(to).success)
    throw validationFailed([
      {
        path: 'conversation_id',
        message: `'${to}' is not a valid ${address.field} for the ${conversation.channel} channel`,
      },
    ]);
  return to;
}

export const messages = defineResource({
  name: 'message',
  collection: 'messages',
  idPrefix: 'msg',
  description:
    'A message of a conversation. Created directly it is an inbound message (a text of STOP or START sets or ' +
    "clears its sender's `sms_opt_out`); `POST /v1/messages/send` sends one.",
  operations: ['list', 'get', 'create', 'delete', 'export'],
  limitedBecause:
    'Messages are a record of what was said: never edited, ' +
    "and sent one at a time through their conversation's channel.",
  listedUnder: [{ collection: 'conversations', segment: 'messages', field: 'conversation_id' }],
  fields: {
    conversation_id: field.ref('conversations').required().createOnly().filterable().expand('conversation'),
    direction: field.enum(['inbound', 'outbound']).default('inbound').readOnly().filterable(),
    subject: field.text({ max: 300 }).createOnly().describe('Email only.'),
    body: field
      .text({ min: 1, max: 20_000 })
      .required()
      .createOnly()
      .searchable()
      .example('Can you come Tuesday instead?'),
    from_address: field
      .text({ max: 320 })
      .createOnly()
      .describe('Who sent it: an email address, a phone number or a chat handle.'),
    to_address: field.text({ max: 320 }).readOnly().describe('Where an outbound message went.'),
    status: field
      .enum(['received', 'queued', 'sent', 'failed', 'draft'])
      .default('received')
      .readOnly()
      .filterable()
      .describe(
        "Outbound: `queued` in the channel's outbox (its delivery, `channel_reference`, says why it waits), `sent` " +
          'once the provider accepted it (a chat message at once), `failed` when delivery gave up. `draft`: a ' +
          'suggested reply stored by `POST /v1/conversations/{id}/draft-reply`; never sent (send its text with ' +
          '`POST /v1/messages/send`).',
      ),
    sent_by_id: field.ref('users').readOnly().filterable().describe('The team member who sent it.'),
    channel_reference: field
      .text({ max: 64 })
      .readOnly()
      .describe('Email and SMS: the delivery (`/v1/deliveries/{id}`) that carries it.'),
  },
  hooks: {
    afterCreate: async ({ row, ctx }) => {
      const conversation = await loadReferencedOrThrow(
        ctx,
        ctx.registry.get('conversations'),
        row.conversation_id,
        'conversation_id',
      );
      if (row.direction === 'inbound' && conversation.status === 'closed')
        await ctx.runAction('conversations', conversation.id, 'reopen');
      if (row.direction === 'inbound' && conversation.channel === 'sms')
        await applyConsentKeyword(ctx, conversation, row);
      // A draft is not something said: the conversation's last message stays the last one sent or received.
      if (row.status !== 'draft') touchConversation(ctx, conversation.id);
    },
  },
  endpoints: [
    resourceEndpoint({
      method: 'post',
      path: '/send',
      operationId: 'sendMessage',
      respondsWith: 'messages',
      summary: 'Send a message in a conversation, on its channel',
      description:
        "Stores the outbound message and queues it on the conversation's channel " +
        '(email: the mail outbox; SMS: the SMS outbox; ' +
        'chat: the thread) in one transaction. A closed conversation or a voice one cannot send (409 / 422), ' +
        'nor a text to a number that replied STOP (422; `sms_opt_out` on its contact).',
      input: z.strictObject({
        conversation_id: idOfSchema('conversations'),
        body: z.string().trim().min(1).max(20_000),
        subject: z.string().trim().max(300).optional().describe("Email only; default: the conversation's subject."),
        sent_by_id: idOfSchema('users').optional(),
      }),
      async run({ input, ctx }) {
        const resource = ctx.registry.get('messages');
        const conversation = await loadReferencedOrThrow(
          ctx,
          ctx.registry.get('conversations'),
          input.conversation_id,
          'conversation_id',
        );
        const adapter = CHANNEL_ADAPTERS[conversation.channel as Channel];
        if (!adapter)
          throw validationFailed([
            {
              path: 'conversation_id',
              message: `A ${conversation.channel} conversation cannot send messages; record calls as call logs`,
            },
          ]);
        if (conversation.status !== 'open')
          throw new ApiError('conflict', `Conversation '${conversation.id}' is closed; reopen it to send`);
        if (input.sent_by_id)
          await loadReferencedOrThrow(ctx, ctx.registry.get('users'), input.sent_by_id, 'sent_by_id');
        const to = await recipientOf(ctx, conversation);
        if (conversation.channel === 'sms') await refuseOptedOut(ctx, conversation, to);
        const subject = conversation.channel === 'email' ? (input.subject ?? conversation.subject ?? null) : null;
        const messageId = newId(resource.idPrefix);
        const reference = adapter.handOver(ctx, {
          messageId,
          conversationId: conversation.id,
          to,
          subject,
          body: input.body,
        });
        const row = await insertValidated(ctx, resource, {
          id: messageId,
          conversation_id: conversation.id,
          direction: 'outbound',
          subject,
          body: input.body,
          to_address: to,
          status: reference ? 'queued' : 'sent',
          sent_by_id: input.sent_by_id ?? null,
          channel_reference: reference,
        });
        return serialize(resource, row);
      },
    }),
  ],
});
