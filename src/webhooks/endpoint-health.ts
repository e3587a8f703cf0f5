// An endpoint's health, judged at each delivery attempt: a success clears its failure streak; a
// 410 Gone, or failing for days without a success, disables it, with a `webhook_endpoint.disabled`
// event and a mail to the account. The statements commit with the attempt they judge.
import type { Database } from '../db/database.ts';
import type { SqlStatement } from '../db/inline-parameters.ts';
import { systemQuery } from '../db/system-query.ts';
import { queueMailStatement } from '../mail/mail-outbox.ts';
import { eventStatement } from '../platform/events/platform-events.ts';
import { serialize } from '../platform/operations/serialize.ts';
import { MAX_ATTEMPTS } from './retry-schedule.ts';
import type { Logger } from 'pino';
import type { ResourceDefinition } from '../platform/contract.ts';
import type { ClaimedDelivery } from './claimed-delivery.ts';
import type { DeliveryOutcome } from './webhook-sender.ts';

/** An endpoint failing without a single success for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000;

/** A success clears the failure streak; a 410, or failing for days without a success, disables the endpoint. */
export async function endpointHealthStatements(
  db: Database,
  options: { logger: Logger; resources: { endpoints: ResourceDefinition } },
  delivery: ClaimedDelivery,
  outcome: DeliveryOutcome,
  status: string,
  now: number,
): Promise<SqlStatement[]> {
  const at = new Date(now).toISOString();
  if (outcome.ok) {
    return [
      {
        sql:
          'UPDATE webhook_endpoints SET failing_since = NULL, updated_at = $2 ' +
          'WHERE id = $1 AND failing_since IS NOT NULL',
        parameters: [delivery.endpoint_id, at],
      },
    ];
  }
  if (delivery.type === 'webhook.test') return [];
  const failingSince = Date.parse(delivery.failing_since ?? delivery.claimed_at);
  // No success anywhere on the endpoint since this delivery's first try: the streak began before it.
  const exhaustedWithoutRecovery = status === 'failed' && failingSince <= Date.parse(delivery.first_attempt_at);
  const reason =
    outcome.httpStatus === 410
      ? 'the endpoint answered 410 Gone'
      : now - failingSince >= DISABLE_AFTER_FAILING_MS
        ? 'deliveries failed for 5 days without a success'
        : exhaustedWithoutRecovery && delivery.attempts >= MAX_ATTEMPTS
          ? 'every retry of a delivery failed and the endpoint never recovered'
          : null;
  if (!reason) {
    // The streak starts when its first failed attempt began.
    return [
      {
        sql: 'UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1 AND failing_since IS NULL',
        parameters: [delivery.endpoint_id, delivery.claimed_at],
      },
    ];
  }
  return disableStatements(db, options, delivery, reason, at);
}

/** The endpoint disabled, its event, and (at most hourly per account) a mail to the account. */
async function disableStatements(
  db: Database,
  options: { logger: Logger; resources: { endpoints: ResourceDefinition } },
  delivery: ClaimedDelivery,
  reason: string,
  at: string,
): Promise<SqlStatement[]> {
  const [endpoint] = await systemQuery(db, {
    // Addresses are not verified yet, so an account gets at most one such mail an hour.
    sql: `SELECT ${options.resources.endpoints.selectColumns.map((c) => `e.${c}`).join(', ')},
                 a.notification_emails,
                 EXISTS (SELECT 1 FROM mail_outbox m
                          WHERE m.account_id = e.account_id AND m.subject LIKE '${DISABLED_MAIL_SUBJECT}%'
                          AND m.created_at > now() - interval '1 hour') AS notified_recently
            FROM webhook_endpoints e JOIN accounts a ON a.id = e.account_id WHERE e.id = $1 AND e.status = 'enabled'`,
    parameters: [delivery.endpoint_id],
  });
  if (!endpoint) return []; // already disabled (a concurrent delivery got here first)
  options.logger.warn(
    { endpoint: delivery.endpoint_id, account: delivery.account_id, reason },
    'webhook endpoint disabled',
  );
  const disabled = { ...endpoint, status: 'disabled', disabled_reason: reason, updated_at: at };
  return [
    {
      sql: `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2, updated_at = $3
            WHERE id = $1 AND status = 'enabled'`,
      parameters: [delivery.endpoint_id, reason, at],
    },
    // Like any change, it is an event (and so reaches the account's other endpoints).
    eventStatement(
      delivery.account_id,
      'webhook_endpoint.disabled',
      serialize(options.resources.endpoints, disabled),
      at,
    ),
    ...(endpoint.notification_emails.length && !endpoint.notified_recently
      ? [
          queueMailStatement(
            {
              accountId: delivery.account_id,
              to: endpoint.notification_emails,
              subject: `${DISABLED_MAIL_SUBJECT} (${endpoint.id})`,
              text:
                `Fieldline stopped sending events to ${urlWithoutQuery(endpoint.url)} ` +
                `(${endpoint.id}): ${reason}.\n\n` +
                `Fix the receiver, then enable the endpoint ` +
                `(POST /v1/webhook-endpoints/${endpoint.id}/enable) and replay what failed ` +
                `(POST /v1/webhook-endpoints/${endpoint.id}/recover with "since"). ` +
                `The delivery log is at /v1/webhook-endpoints/${endpoint.id}/deliveries.`,
            },
            at,
          ),
        ]
      : []),
  ];
}

const DISABLED_MAIL_SUBJECT = 'Fieldline webhook endpoint disabled';
/** A URL's query may carry the receiver's own token: mail shows origin and path only. */
const urlWithoutQuery = (url: string) => {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return 'the endpoint';
  }
};
