// The delivery log: a `deliveries` row is written with the outbox row that carries a message, in
// the same transaction, and kept in step by the channel's relay as the provider answers. Each
// step (`delivery.sent`, `.delivered`, `.failed`, `.undelivered`) is an event, written in the
// relay's own transaction.
import type { Database, Row } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemQuery } from '../db/system-query.ts';
import type { TenantTransaction } from '../db/tenant-transaction.ts';
import { queueMailStatement, type MailOutcome } from '../mail/mail-outbox.ts';
import type { OutgoingMail } from '../mail/mail-transport.ts';
import { platformEventStatement } from '../platform/events/platform-events.ts';
import { newId } from '../platform/ids.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { deliveries, type DeliveryChannel, type DeliveryState } from './deliveries.ts';

/** The object a message is about (an invoice it carries), for the log's filters. */
export interface About {
  collection: string;
  id: string;
}

export interface NewDelivery {
  channel: DeliveryChannel;
  recipient: string;
  subject: string | null;
  about?: About;
  status?: DeliveryState;
}

/** Records a delivery in `tx` (written when it commits); answers its id. */
export function recordDelivery(tx: TenantTransaction, delivery: NewDelivery, now: string): string {
  const id = newId(deliveries.idPrefix);
  tx.defer(deliveryInsert(tx.accountId, id, delivery, now));
  return id;
}

function deliveryInsert(accountId: string, id: string, delivery: NewDelivery, now: string): SqlStatement {
  return {
    sql: `INSERT INTO ${deliveries.table} (id, account_id, channel, recipient, subject, status, attempts,
                                           resource_type, resource_id, created_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $9)`,
    parameters: [
      id,
      accountId,
      delivery.channel,
      delivery.recipient.slice(0, 320),
      delivery.subject?.slice(0, 300) ?? null,
      delivery.status ?? 'queued',
      delivery.about?.collection ?? null,
      delivery.about?.id ?? null,
      now,
    ],
  };
}

/** Queues a mail of the account and its delivery record together; answers both ids. */
export function queueMailDelivery(
  tx: TenantTransaction,
  mail: OutgoingMail,
  now: string,
  about?: About,
): { deliveryId: string; mailId: string } {
  const deliveryId = recordDelivery(
    tx,
    { channel: 'email', recipient: [...mail.to, ...(mail.cc ?? [])].join(', '), subject: mail.subject, about },
    now,
  );
  const mailId = newId('mail');
  tx.defer(queueMailStatement({ ...mail, accountId: tx.accountId, deliveryId }, now, mailId));
  return { deliveryId, mailId };
}

/** How far along each state is. */
const STATE_RANK: Record<DeliveryState, number> = {
  not_configured: 0,
  queued: 0,
  sent: 1,
  delivered: 2,
  failed: 2,
  undelivered: 2,
  simulated: 1,
};

/** The states whose reaching is an event (`delivery.sent` ...). */
export const DELIVERY_EVENTS = [
  'sent',
  'delivered',
  'failed',
  'undelivered',
] as const satisfies readonly DeliveryState[];
const isEventState = (state: DeliveryState): state is (typeof DELIVERY_EVENTS)[number] =>
  (DELIVERY_EVENTS as readonly string[]).includes(state);

/** The status a conversation's message takes when its delivery reaches one of these. */
const MESSAGE_STATUS: Partial<Record<DeliveryState, string>> = {
  sent: 'sent',
  simulated: 'sent',
  delivered: 'sent',
  failed: 'failed',
  undelivered: 'failed',
};

export interface DeliveryUpdate {
  status: DeliveryState;
  attempts?: number;
  providerId?: string | null;
  error?: string | null;
  at: string;
}

/**
 * The statements that move a delivery to `update.status` (and emit its event when it
 * fails), to commit with the channel's own bookkeeping. Reads the row first: the event carries
 * the delivery as the API shows it. Nothing when the row is gone (its account closed).
 */
export async function deliveryUpdateStatements(
  db: Database,
  accountId: string,
  id: string,
  update: DeliveryUpdate,
): Promise<SqlStatement[]> {
  const [current] = await systemQuery(db, {
    sql: `SELECT ${deliveries.selectColumns.join(', ')} FROM ${deliveries.table} WHERE account_id = $1 AND id = $2`,
    parameters: [accountId, id],
  });
  return current ? transitionStatements(accountId, current, update) : [];
}

/** The statements that move `current` (the delivery as stored) to `update.status`. */
function transitionStatements(accountId: string, current: Row, update: DeliveryUpdate): SqlStatement[] {
  const id = current.id as string;
  // Providers' callbacks may arrive out of order: a delivery never moves back (delivered, then a late `sent`).
  if (STATE_RANK[update.status] < STATE_RANK[current.status as DeliveryState]) return [];
  const row: Row = {
    ...current,
    status: update.status,
    attempts: update.attempts ?? current.attempts,
    provider_id: update.providerId ?? current.provider_id,
    error: update.error === undefined ? current.error : update.error,
    sent_at: update.status === 'sent' || update.status === 'simulated' ? update.at : current.sent_at,
    delivered_at: update.status === 'delivered' ? update.at : current.delivered_at,
    failed_at: ['failed', 'undelivered'].includes(update.status) ? update.at : current.failed_at,
    updated_at: update.at,
  };
  const statements: SqlStatement[] = [
    {
      sql: `UPDATE ${deliveries.table}
               SET status = $3, attempts = $4, provider_id = $5, error = $6, sent_at = $7, delivered_at = $8,
                   failed_at = $9, updated_at = $10
             WHERE account_id = $1 AND id = $2`,
      parameters: [
        accountId,
        id,
        row.status,
        row.attempts,
        row.provider_id,
        row.error?.slice(0, 1000) ?? null,
        row.sent_at,
        row.delivered_at,
        row.failed_at,
        row.updated_at,
      ],
    },
  ];
  // A conversation's message follows its delivery (queued until the provider takes it).
  const messageStatus = MESSAGE_STATUS[update.status];
  if (current.resource_type === 'messages' && messageStatus)
    statements.push({
      sql: 'UPDATE messages SET status = $3, updated_at = $4 WHERE account_id = $1 AND id = $2',
      parameters: [accountId, current.resource_id, messageStatus, update.at],
    });
  if (isEventState(update.status) && current.status !== update.status)
    statements.push(
      platformEventStatement(accountId, `delivery.${update.status}`, serialize(deliveries, row), update.at),
    );
  return statements;
}

/**
 * The mail relay's outcomes, in the log: a refusal that will be retried stays `queued`, with its
 * error. Mail an account's member or alert rule gets (an invitation, an alert) is queued by
 * modules beneath this one, without a delivery: it gets one at its first outcome.
 */
export const mailOutcomeStatements = (db: Database) => async (outcome: MailOutcome) => {
  const update: DeliveryUpdate = {
    status: outcome.status === 'retrying' ? 'queued' : outcome.status,
    attempts: outcome.attempts,
    providerId: outcome.providerId,
    error:
      outcome.status === 'not_configured'
        ? 'No mail server is configured (FIELDLINE_SMTP_URL): the mail went to the log'
        : outcome.error,
    at: outcome.at,
  };
  if (outcome.deliveryId) return deliveryUpdateStatements(db, outcome.accountId, outcome.deliveryId, update);
  const recipient = outcome.recipients.join(', ');
  const id = newId(deliveries.idPrefix);
  // The row as just inserted, for the transition to move on from.
  const queued: Row = {
    ...Object.fromEntries(Object.keys(deliveries.fields).map((name) => [name, null])),
    id,
    channel: 'email',
    recipient: recipient.slice(0, 320),
    subject: outcome.subject.slice(0, 300),
    status: 'queued',
    attempts: 0,
    created_at: outcome.at,
    updated_at: outcome.at,
  };
  return [
    deliveryInsert(outcome.accountId, id, { channel: 'email', recipient, subject: outcome.subject }, outcome.at),
    { sql: 'UPDATE mail_outbox SET delivery_id = $2 WHERE id = $1', parameters: [outcome.mailId, id] },
    ...transitionStatements(outcome.accountId, queued, update),
  ];
};
