// Mails sending campaigns in the background, one batch of recipients per transaction:
//   lock the campaign (only while it is `sending`) -> lock a batch of pending recipients ->
//   for each, queue its mail in the mail outbox and mark it `sent` -> commit.
// A recipient's mail and its `sent` commit together or not at all, so a crash anywhere (before,
// during or after the batch) leaves each recipient either pending with no mail, or sent with
// exactly one; the next run picks up the pending ones. The mail relay then delivers the outbox
// (retried, with the outbox id as Message-ID). Pausing takes the campaign's row lock, so it
// waits for a running batch, and once it has answered no further batch starts.
import type { Logger } from 'pino';
import { systemQuery } from '../db/system-query.ts';
import { accountIsActive } from '../platform/active-account.ts';
import { withTenantTransaction } from '../db/tenant-transaction.ts';
import { accountPrincipal } from '../platform/operations/principal.ts';
import { createOperationContext } from '../platform/operations/operation-context.ts';
import { selectRowsByIds } from '../platform/operations/row-statements.ts';
import { loadRowOrThrow } from '../platform/operations/load-row.ts';
import type { Row } from '../db/database.ts';
import { renderEmail, type EmailTemplateParts } from '../messaging/email-rendering.ts';
import { contactVariables } from './email-templates.ts';
import { unsubscribeLink, withUnsubscribeFooter } from '../messaging/unsubscribe.ts';
import type { Runtime, OperationContext } from '../platform/contract.ts';
import { serviceKey } from '../platform/api/service-key.ts';

export interface CampaignSenderOptions {
  intervalMs?: number;
  /** Recipients per transaction. */
  batchSize?: number;
}

export class CampaignSender {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #again = false;
  #stopping = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    private readonly options: CampaignSenderOptions = {},
  ) {}

  start(): void {
    this.#stopping = false;
    this.#timer = setInterval(() => this.wake(), this.options.intervalMs ?? 5_000);
    this.#timer.unref();
  }

  /** Stops between batches (a batch in flight commits or rolls back as a whole). */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Sends what is due soon, without waiting (after `send` or `resume`). */
  wake(): void {
    if (!this.#timer) return; // not started (tests drive sendDue themselves)
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.sendDue().catch((err) => this.logger.warn({ err }, 'campaign sending failed'));
  }

  /**
   * Mails every pending recipient of every sending campaign (of `accountIds` only, if given);
   * returns how many were mailed. Safe on several nodes at once.
   */
  sendDue(scope: { accountIds?: readonly string[] } = {}): Promise<number> {
    if (scope.accountIds) return this.#sendDue(scope.accountIds);
    this.#running ??= this.#sendDue().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
    return this.#running;
  }

  /**
   * Round robin: each campaign gets one batch per cycle, so a large campaign never holds up a
   * small one, and a campaign whose batch fails is logged and retried next cycle without
   * stopping the others. Ends when a whole cycle made no progress.
   */
  async #sendDue(accountIds?: readonly string[]): Promise<number> {
    const page = 50;
    let mailed = 0;
    let progressed = false;
    let after: { started_at: string; id: string } | undefined;
    while (!this.#stopping) {
      const conditions = [
        `status = 'sending'`,
        accountIsActive('campaigns.account_id'), // a suspended account's campaign goes on after resume
        ...(accountIds ? ['account_id = ANY($1::text[])'] : []),
        ...(after ? ['(started_at, id) > ($2::timestamptz, $3)'] : []),
      ];
      const due = await systemQuery(this.runtime.db, {
        sql: `SELECT account_id, id, started_at FROM campaigns WHERE ${conditions.join(' AND ')} ORDER BY started_at, id
              LIMIT ${page}`,
        parameters: [accountIds ?? null, after?.started_at ?? null, after?.id ?? null],
      });
      for (const campaign of due) {
        if (this.#stopping) break;
        try {
          const outcome = await this.sendBatch(campaign.account_id, campaign.id);
          mailed += outcome.mailed;
          progressed ||= outcome.handled > 0 || outcome.completed;
        } catch (err) {
          this.logger.warn({ err, campaign: campaign.id }, 'campaign batch failed; retried next cycle');
        }
      }
      if (due.length === page) {
        after = due[page - 1] as { started_at: string; id: string };
        continue;
      }
      if (!progressed) break; // nothing left, or what is left is failing or locked by another node
      progressed = false;
      after = undefined;
    }
    return mailed;
  }

  /** One batch of one campaign, in one transaction. */
  async sendBatch(
    accountId: string,
    campaignId: string,
  ): Promise<{ handled: number; mailed: number; completed: boolean }> {
    const batchSize = this.options.batchSize ?? 50;
    return withTenantTransaction(this.runtime.db, accountId, async (tx) => {
      const ctx = createOperationContext(tx, accountPrincipal(accountId), this.runtime);
      const campaignsResource = ctx.registry.get('campaigns');
      const [campaign] = await tx.query({
        sql: `SELECT ${campaignsResource.selectColumns.join(', ')} FROM campaigns
              WHERE account_id = $1 AND id = $2 AND status = 'sending' FOR UPDATE SKIP LOCKED`,
        parameters: [accountId, campaignId],
      });
      if (!campaign) return { handled: 0, mailed: 0, completed: false }; // paused, done, or another node has it
      const recipients = await tx.query({
        sql: `SELECT id, contact_id FROM campaign_recipients
              WHERE account_id = $1 AND campaign_id = $2 AND status = 'pending'
              ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        parameters: [accountId, campaignId, batchSize],
      });
      // kept by its foreign key
      const template = await loadRowOrThrow(ctx, ctx.registry.get('email-templates'), campaign.template_id);
      const mailed = recipients.length
        ? await this.#mail(ctx, campaign, template as EmailTemplateParts, recipients)
        : 0;
      const skipped = recipients.length - mailed;
      if (recipients.length) {
        tx.defer({
          sql:
            'UPDATE campaigns SET sent_count = sent_count + $3, skipped_count = skipped_count + $4 ' +
            'WHERE account_id = $1 AND id = $2',
          parameters: [accountId, campaignId, mailed, skipped],
        });
      }
      let completed = false;
      if (recipients.length < batchSize) {
        const [{ pending }] = await tx.query({
          sql: `SELECT count(*)::int AS pending FROM campaign_recipients
                WHERE account_id = $1 AND campaign_id = $2 AND status = 'pending'`,
          parameters: [accountId, campaignId],
        });
        if (pending === 0) {
          await ctx.runAction('campaigns', campaignId, 'complete');
          completed = true;
        }
      }
      if (mailed) this.logger.info({ campaign: campaignId, mailed, skipped }, 'campaign batch queued');
      return { handled: recipients.length, mailed, completed };
    });
  }

  async #mail(ctx: OperationContext, campaign: Row, template: EmailTemplateParts, recipients: Row[]): Promise<number> {
    const contacts = await ctx.tx.query(
      selectRowsByIds(
        ctx.registry.get('contacts'),
        ctx.tx.accountId,
        recipients.map((r) => r.contact_id),
      ),
    );
    const contactById = new Map(contacts.map((c) => [c.id, c]));
    let mailed = 0;
    for (const recipient of recipients) {
      const contact = contactById.get(recipient.contact_id);
      const skipped = !contact
        ? 'the contact was deleted'
        : !contact.email
          ? 'the contact has no email address'
          : contact.email_opt_out === true
            ? 'the contact unsubscribed'
            : null;
      if (skipped) {
        await ctx.runAction('campaign-recipients', recipient.id, 'skip', { reason: skipped });
        continue;
      }
      const rendered = renderEmail(template, {
        ...contactVariables(ctx, contact!),
        campaign: { id: campaign.id, name: campaign.name },
      });
      const unsubscribe = unsubscribeLink(this.runtime, ctx.tx.accountId, contact!.id);
      await ctx.runAction('campaign-recipients', recipient.id, 'deliver', {
        to: contact!.email,
        subject: rendered.subject,
        text: `${rendered.text}\n\n--\nUnsubscribe: ${unsubscribe}`,
        html: rendered.html && withUnsubscribeFooter(rendered.html, unsubscribe),
        unsubscribe_url: unsubscribe,
      });
      mailed++;
    }
    return mailed;
  }
}

/** Sends due campaigns in the background; `wake` after a commit that made one due (send, resume). */
export const campaignSending = serviceKey<CampaignSender>('the campaign sender');
