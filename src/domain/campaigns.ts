// Campaigns: one email template mailed to a list of contacts (campaign-recipients).
//   draft -> sending (send) <-> paused (pause / resume) -> sent (every recipient handled)
//   draft | sending | paused -> cancelled (pending recipients are skipped)
// Sending happens off the request, in batches (src/messaging/campaign-sender.ts): `send`
// answers at once, and `campaign.completed` says when the last recipient is done.
import { defineResource } from '../platform/resource/define-resource.ts';
import { field } from '../platform/resource/fields.ts';
import { validationFailed } from '../platform/errors.ts';
import { loadReferencedOrThrow } from '../platform/operations/load-row.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { campaignSending } from './campaign-sender.ts';
import type { ActionArgs, OperationContext } from '../platform/contract.ts';

/**
 * Changes a campaign's recipients in one statement (`change`: $1 account, $2 campaign, $3 now),
 * each still a `campaign_recipient.{verb}` event, as one change at a time would be.
 */
async function settleRecipients(
  ctx: OperationContext,
  campaignId: string,
  change: string,
  verb: string,
  previous?: Record<string, unknown>,
): Promise<number> {
  const recipients = ctx.registry.get('campaign-recipients');
  const rows = await ctx.tx.query({
    sql: `${change} RETURNING ${recipients.selectColumns.join(', ')}`,
    parameters: [ctx.tx.accountId, campaignId, ctx.now],
  });
  for (const row of rows) ctx.emit(`campaign_recipient.${verb}`, serialize(recipients, row), previous);
  return rows.length;
}

/** The sender is told at once (after commit) rather than at its next poll. */
function wakeSender(ctx: OperationContext): void {
  ctx.tx.afterCommit(async () => ctx.runtime.find(campaignSending)?.wake());
}

export const campaigns = defineResource({
  name: 'campaign',
  collection: 'campaigns',
  idPrefix: 'cmp',
  description:
    'An email template mailed to a list of contacts, in the background. ' +
    'Recipients are under `/v1/campaigns/{id}/recipients`.',
  searchTitle: ['name'],
  lifecycle: { field: 'status', updatableIn: ['draft', 'paused'], deletableIn: ['draft', 'sent', 'cancelled'] },
  fields: {
    name: field
      .text({ min: 1, max: 200 })
      .required()
      .filterable()
      .sortable()
      .searchable()
      .example('Spring tune-up 2027'),
    template_id: field
      .ref('email-templates')
      .required()
      .filterable()
      .expand('template')
      .describe('What every recipient is sent.'),
    status: field.enum(['draft', 'sending', 'paused', 'sent', 'cancelled']).default('draft').readOnly().filterable(),
    recipient_count: field.integer().default(0).readOnly().sortable(),
    sent_count: field.integer().default(0).readOnly().sortable().describe('Recipients mailed so far.'),
    skipped_count: field
      .integer()
      .default(0)
      .readOnly()
      .describe('Recipients passed over (contact deleted or without email, campaign cancelled).'),
    started_at: field.datetime().readOnly().filterable().sortable().describe('When `send` was called.'),
    completed_at: field.datetime().readOnly().filterable().sortable(),
  },
  hooks: {
    // A campaign's recipients are its record; they go with it.
    beforeDelete: async ({ row, ctx }) => {
      await settleRecipients(
        ctx,
        row.id,
        'DELETE FROM campaign_recipients WHERE account_id = $1 AND campaign_id = $2',
        'deleted',
      );
    },
  },
  actions: {
    send: {
      summary: 'Start sending the campaign',
      description:
        'Checks the template and that there are recipients, then mails them in the background, each mail with ' +
        'its unsubscribe link (RFC 8058); contacts who unsubscribed (`email_opt_out`) are skipped. ' +
        '`campaign.completed` follows the last one.',
      from: ['draft'],
      to: 'sending',
      event: 'started',
      status: 202,
      apply: async ({ row, ctx }: ActionArgs<unknown>) => {
        await loadReferencedOrThrow(ctx, ctx.registry.get('email-templates'), row.template_id, 'template_id');
        if (row.recipient_count === 0)
          throw validationFailed([
            {
              path: 'recipients',
              message: 'The campaign has no recipients; add contacts under /v1/campaigns/{id}/recipients first',
            },
          ]);
        wakeSender(ctx);
        return { started_at: ctx.now };
      },
    },
    pause: {
      summary: 'Pause sending',
      description: 'Once this answers, no further recipient is mailed until `resume`.',
      from: ['sending'],
      to: 'paused',
      event: 'paused',
    },
    resume: {
      summary: 'Resume sending',
      from: ['paused'],
      to: 'sending',
      event: 'resumed',
      apply: ({ ctx }) => {
        wakeSender(ctx);
      },
    },
    cancel: {
      summary: 'Cancel the campaign',
      description: 'Recipients not yet mailed are skipped; those mailed stay sent.',
      from: ['draft', 'sending', 'paused'],
      to: 'cancelled',
      event: 'cancelled',
      apply: async ({ row, ctx }) => {
        const skipped = await settleRecipients(
          ctx,
          row.id,
          `UPDATE campaign_recipients SET status = 'skipped', skipped_reason = 'campaign cancelled', updated_at = $3
          WHERE account_id = $1 AND campaign_id = $2 AND status = 'pending'`,
          'skipped',
          { status: 'pending', skipped_reason: null },
        );
        return { skipped_count: row.skipped_count + skipped, completed_at: ctx.now };
      },
    },
    complete: {
      summary: 'Every recipient was handled',
      internal: true,
      from: ['sending'],
      to: 'sent',
      event: 'completed',
      apply: ({ ctx }) => ({ completed_at: ctx.now }),
    },
  },
});
