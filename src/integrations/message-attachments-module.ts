// Message attachments (issue 32): the files of mail imported from a connected mailbox, listed and
// downloaded under their message (src/integrations/message-attachments.ts).
import { defineModule } from '../platform/api/module.ts';
import { messageAttachmentOperations } from './message-attachments.ts';

export const messageAttachmentsModule = defineModule({
  name: 'message-attachments',
  migrations: [
    {
      id: '0038_mailbox_routing',
      statements: [
        // A message's attachments are found by the message they belong to.
        `CREATE INDEX integration_links_message_attachments
           ON integration_links (account_id, (metadata ->> 'message_id'))
           WHERE collection = 'message-attachments'`,
      ],
    },
  ],
  operations: () => messageAttachmentOperations,
});
