// The people a campaign mails: one row per contact, added while the campaign is a draft or
// paused. A recipient is `pending` until the campaign's sender mails it (`sent`, with the mail's
// outbox id) or passes it over (`skipped`: the contact was deleted, lost its email or
// unsubscribed, or the campaign was cancelled). A recipient is sent at most once: see src/messaging/campaign-sender.ts.
import { z } from 'zod';
import { defineResource, resourceEndpoint } from '../platform/resource/define-resource.ts';
import { field, idOfSchema } from '../platform/resource/fields.ts';
import { ApiError, notFound, validationFailed } from '../platform/errors.ts';
import { loadReferencedOrThrow, loadRowOrThrow } from '../platform/operations/load-row.ts';
import { deleteInTransaction } from '../platform/operations/delete.ts';
import { queueMailDelivery } from '../delivery/delivery-log.ts';
import { unsubscribeHeaders } from '../messaging/unsubscribe.ts';
import type { OperationContext } from '../platform/contract.ts';

/** Campaign states in which its list of recipients may change. */
const EDITABLE_IN = ['draft', 'paused'];
export const MAX_RECIPIENTS_PER_REQUEST = 500;

function countRecipients(ctx: OperationContext, campaignId: string, delta: number): void {
  ctx.tx.defer({
    sql: 'UPDATE campaigns SET recipient_count = recipient_count + $3 WHERE account_id = $1 AND id = $2',
    parameters: [ctx.tx.accountId, campaignId, delta],
  });
}

/** The campaign, locked so a recipient cannot slip in while it starts sending. */
async function editableCampaign(ctx: OperationContext, campaignId: string) {
  const campaign = await loadReferencedOrThrow(ctx, ctx.registry.get('campaigns'), campaignId, 'campaign_id', {
    lock: true,
  });
  if (!EDITABLE_IN.includes(campaign.status)) {
    throw new ApiError(
      'conflict',
      `Campaign '${campaign.id}' is ${campaign.status}; recipients can change while it is ${EDITABLE_IN.join(' or ')}`,
    );
  }
  return campaign;
}

/** What the sender hands `deliver`: the recipient's mail, rendered. */
const renderedMail = z.strictObject({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  /** Where the mail's List-Unsubscribe header points. */
  unsubscribe_url: z.string(),
});

export const campaignRecipients = defineResource({
  name: 'campaign_recipient',
  collection: 'campaign-recipients',
  idPrefix: 'crcp',
  description: 'A contact a campaign mails, also listed under `/v1/campaigns/{id}/recipients`. Sent at most once.',
  operations: ['list', 'get', 'create', 'delete', 'bulk', 'export'],
  limitedBecause:
    "A recipient is a contact added to a campaign: remove it and add another; its state is the sender's to change.",
  listedUnder: [{ collection: 'campaigns', segment: 'recipients', field: 'campaign_id' }],
  lifecycle: { field: 'status', deletableIn: ['pending'] },
  schema: [
    `CREATE UNIQUE INDEX IF NOT EXISTS campaign_recipients_contact_key ` +
      `ON campaign_recipients (account_id, campaign_id, contact_id)`,
  ],
  fields: {
    campaign_id: field.ref('campaigns').required().createOnly().filterable().expand('campaign'),
    contact_id: field.ref('contacts').required().createOnly().filterable().expand('contact'),
    email: field
      .email()
      .readOnly()
      .filterable()
      .describe("Where the mail went (the contact's email when it was sent)."),
    status: field.enum(['pending', 'sent', 'skipped']).default('pending').readOnly().filterable(),
    sent_at: field.datetime().readOnly().filterable().sortable(),
    mail_id: field
      .text({ max: 64 })
      .readOnly()
      .describe('The mail outbox entry carrying it (delivery is retried from there).'),
    skipped_reason: field.text({ max: 200 }).readOnly(),
  },
  hooks: {
    beforeCreate: async ({ row, ctx }) => {
      await editableCampaign(ctx, row.campaign_id);
      const contact = await loadReferencedOrThrow(ctx, ctx.registry.get('contacts'), row.contact_id, 'contact_id');
      if (!contact.email)
        throw validationFailed([{ path: 'contact_id', message: `Contact '${contact.id}' has no email address` }]);
      row.email = contact.email;
      countRecipients(ctx, row.campaign_id, 1);
    },
    afterDelete: async ({ row, ctx }) => {
      await editableCampaign(ctx, row.campaign_id);
      countRecipients(ctx, row.campaign_id, -1);
    },
  },
  actions: {
    // The campaign sender's steps, one per recipient, inside its batch transaction.
    deliver: {
      summary: 'Mail the recipient',
      internal: true,
      from: ['pending'],
      to: 'sent',
      event: 'sent',
      input: renderedMail,
      apply: ({ row, input, ctx }) => {
        const { mailId } = queueMailDelivery(
          ctx.tx,
          {
            to: [input.to],
            subject: input.subject,
            text: input.text,
            html: input.html,
            headers: unsubscribeHeaders(input.unsubscribe_url),
          },
          ctx.now,
          { collection: 'campaign-recipients', id: row.id },
        );
        return { email: input.to, sent_at: ctx.now, mail_id: mailId };
      },
    },
    skip: {
      summary: 'Pass the recipient over',
      internal: true,
      from: ['pending'],
      to: 'skipped',
      event: 'skipped',
      input: z.strictObject({ reason: z.string().max(200) }),
      apply: ({ input }) => ({ skipped_reason: input.reason }),
    },
  },
  endpoints: [
    resourceEndpoint({
      method: 'post',
      base: '/v1/campaigns',
      path: '/{id}/recipients',
      idOf: 'campaigns',
      operationId: 'addCampaignRecipients',
      summary: 'Add contacts to a campaign',
      description:
        `Adds up to ${MAX_RECIPIENTS_PER_REQUEST} contacts in one all-or-nothing request, ` +
        `each a \`campaign_recipient.created\` event. ` +
        'Contacts already on the campaign are left as they are and listed in `already_added`; ' +
        'an unknown contact or one without an email is a 422.',
      input: z.strictObject({ contact_ids: z.array(idOfSchema('contacts')).min(1).max(MAX_RECIPIENTS_PER_REQUEST) }),
      answers: z.object({
        object: z.literal('campaign_recipients_added'),
        campaign_id: z.string(),
        added: z.int(),
        already_added: z.array(z.string()).describe('Contact ids that were on the campaign already.'),
      }),
      async run({ input, params, ctx }) {
        // Locked first, so concurrent additions of the same contacts see each other's.
        const campaign = await loadRowOrThrow(ctx, ctx.registry.get('campaigns'), params.id, { lock: true });
        const contactIds = [...new Set(input.contact_ids)];
        const present = await ctx.tx.query({
          sql:
            'SELECT contact_id FROM campaign_recipients ' +
            'WHERE account_id = $1 AND campaign_id = $2 AND contact_id = ANY($3::text[])',
          parameters: [ctx.tx.accountId, campaign.id, contactIds],
        });
        const alreadyAdded = new Set(present.map((row) => row.contact_id));
        let added = 0;
        for (const [i, contactId] of contactIds.entries()) {
          if (alreadyAdded.has(contactId)) continue;
          await ctx
            .create('campaign-recipients', { campaign_id: campaign.id, contact_id: contactId })
            .catch((error) => {
              // Each create validates one body; its errors are about this entry of the list.
              if (error instanceof ApiError && error.code === 'validation_failed')
                throw validationFailed([
                  { path: `contact_ids.${i}`, message: error.extra.errors?.[0]?.message ?? error.detail },
                ]);
              throw error;
            });
          added++;
        }
        return {
          object: 'campaign_recipients_added',
          campaign_id: campaign.id,
          added,
          already_added: [...alreadyAdded],
        };
      },
    }),
    resourceEndpoint({
      method: 'delete',
      base: '/v1/campaigns',
      path: '/{id}/recipients/{contact_id}',
      idOf: 'campaigns',
      operationId: 'removeCampaignRecipient',
      summary: 'Remove a contact from a campaign',
      description:
        'The same as deleting the campaign recipient: only a pending one, while the campaign is a draft or paused.',
      answers: z.object({ id: z.string(), object: z.literal('campaign_recipient'), deleted: z.literal(true) }),
      async run({ params, ctx }) {
        const campaign = await loadRowOrThrow(ctx, ctx.registry.get('campaigns'), params.id);
        const [recipient] = await ctx.tx.query({
          sql: 'SELECT id FROM campaign_recipients WHERE account_id = $1 AND campaign_id = $2 AND contact_id = $3',
          parameters: [ctx.tx.accountId, campaign.id, params.contact_id],
        });
        if (!recipient) throw notFound('campaign_recipient', params.contact_id);
        return deleteInTransaction(ctx, ctx.registry.get('campaign-recipients'), recipient.id);
      },
    }),
  ],
});
