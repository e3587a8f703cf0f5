// `POST /v1/integrations/{provider}/send`: a message of an email conversation sent through that
// connected mailbox, whatever the account's default. Like `POST /v1/messages/send`, the message,
// its delivery and its outbox row are written in one transaction and the mail leaves after commit.
import { z } from 'zod';
import { recordDelivery } from '../delivery/delivery-log.ts';
import { ApiError, validationFailed } from '../platform/errors.ts';
import { idOfSchema } from '../platform/resource/fields.ts';
import { insertValidated } from '../platform/operations/create.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { newId } from '../platform/ids.ts';
import type { OperationContext } from '../platform/contract.ts';
import type { Connector } from './connector.ts';
import { connectedMailbox, mailboxMailStatement } from './mailbox-outbox.ts';

export const MailboxSendInput = z.strictObject({
  conversation_id: idOfSchema('conversations').describe('An open email conversation.'),
  body: z.string().trim().min(1).max(20_000),
  subject: z.string().trim().max(300).optional().describe("Default: the conversation's subject."),
});
export type MailboxSendInput = z.infer<typeof MailboxSendInput>;

const EMAIL = z.email();

/** Queues the message in `connector`'s outbox; answers the stored message. */
export async function sendThroughMailbox(
  ctx: OperationContext,
  connector: Connector,
  input: MailboxSendInput,
): Promise<Record<string, unknown>> {
  const conversation = await loadReferencedOrThrow(
    ctx,
    ctx.registry.get('conversations'),
    input.conversation_id,
    'conversation_id',
  );
  if (conversation.channel !== 'email')
    throw validationFailed([
      { path: 'conversation_id', message: `A ${conversation.channel} conversation cannot send through a mailbox` },
    ]);
  if (conversation.status !== 'open')
    throw new ApiError('conflict', `Conversation '${conversation.id}' is closed; reopen it to send`);
  if (!(await connectedMailbox(ctx.tx, connector.provider)))
    throw new ApiError(
      'conflict',
      `${connector.title} is not connected: connect it at GET /v1/integrations/${connector.provider}/authorize`,
    );
  let to: string | null = conversation.participant_address;
  if (!to && conversation.contact_id) {
    const contact = await loadReferencedOrThrow(
      ctx,
      ctx.registry.get('contacts'),
      conversation.contact_id,
      'conversation_id',
    );
    to = contact.email;
  }
  if (!to || !EMAIL.safeParse(to).success)
    throw validationFailed([
      {
        path: 'conversation_id',
        message: 'The conversation has no email address to send to: set its participant_address',
      },
    ]);
  const resource = ctx.registry.get('messages');
  const messageId = newId(resource.idPrefix);
  const subject = input.subject ?? conversation.subject ?? '(no subject)';
  const about = { collection: 'messages', id: messageId };
  const deliveryId = recordDelivery(ctx.tx, { channel: 'email', recipient: to, subject, about }, ctx.now);
  ctx.tx.defer(
    mailboxMailStatement(
      ctx.tx.accountId,
      { provider: connector.provider, messageId, deliveryId, to, subject, body: input.body },
      ctx.now,
    ),
  );
  const row = await insertValidated(ctx, resource, {
    id: messageId,
    conversation_id: conversation.id,
    direction: 'outbound',
    subject,
    body: input.body,
    to_address: to,
    status: 'queued',
    sent_by_id: ctx.principal.userId ?? null,
    channel_reference: deliveryId,
  });
  return serialize(resource, row);
}
