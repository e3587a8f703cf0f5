// Everything one delivery attempt recorded: result, event, attempt, answer, timing, error, next retry.
import { Link } from 'wouter';
import type { Schema } from '../api.ts';
import { formatDate, formatNumber } from './format.ts';
import { DeliveryStatusBadge } from './webhook-labels.tsx';

export function WebhookDeliveryFacts({ delivery }: { delivery: Schema<'WebhookDelivery'> }) {
  return (
    <>
      <dl className="webhook-facts">
        <dt>Result</dt>
        <dd>
          <DeliveryStatusBadge delivery={delivery} />
        </dd>
        <dt>Event</dt>
        <dd>
          {delivery.event ? (
            <Link href={`/events/${delivery.event}`}>
              <code>{delivery.event_type}</code>
            </Link>
          ) : (
            <code>{delivery.event_type}</code>
          )}{' '}
          <code className="muted">{delivery.event}</code>
        </dd>
        <dt>Attempt</dt>
        <dd>{delivery.attempt ?? '—'}</dd>
        <dt>Response status</dt>
        <dd>{delivery.http_status ?? 'No answer'}</dd>
        <dt>Duration</dt>
        <dd>{formatNumber(delivery.duration_ms)} ms</dd>
        <dt>Sent</dt>
        <dd>{formatDate(delivery.created_at)}</dd>
        {delivery.error ? (
          <>
            <dt>Error</dt>
            <dd>{delivery.error}</dd>
          </>
        ) : null}
        {/* A delivered event needs no retry: the row is shown only for a failure. */}
        {delivery.status === 'failed' ? (
          <>
            <dt>Next retry</dt>
            <dd>{delivery.next_attempt_at ? formatDate(delivery.next_attempt_at) : 'None: this was the last try'}</dd>
          </>
        ) : null}
      </dl>
      <div className="field">
        <strong>
          Response body <span className="muted">(first 2 KiB)</span>
        </strong>
        <pre>{delivery.response_body || '(empty)'}</pre>
      </div>
    </>
  );
}
