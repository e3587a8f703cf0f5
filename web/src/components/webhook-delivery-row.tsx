// One delivery attempt as a table row that opens into its full record, with a redeliver button.
import { useId, useState } from 'react';
import { Link } from 'wouter';
import type { Schema } from '../api.ts';
import { formatDate, formatNumber } from './format.ts';
import { WebhookDeliveryFacts } from './webhook-delivery-facts.tsx';
import { DeliveryStatusBadge } from './webhook-labels.tsx';
import { WebhookRedeliverButton } from './webhook-redeliver-button.tsx';

export interface DeliveryColumns {
  /** An Endpoint column (the account-wide and per-event logs). */
  endpoint: boolean;
}

interface WebhookDeliveryRowProps {
  delivery: Schema<'WebhookDelivery'>;
  columns: DeliveryColumns;
  columnCount: number;
  endpointUrl: string | undefined;
  /** Why redelivering is not possible here (a disabled endpoint), or null. */
  redeliverBlocked: string | null;
}

export function WebhookDeliveryRow({
  delivery,
  columns,
  columnCount,
  endpointUrl,
  redeliverBlocked,
}: WebhookDeliveryRowProps) {
  const [open, setOpen] = useState(false);
  const detailId = useId();
  return (
    <>
      <tr>
        <td>
          <DeliveryStatusBadge delivery={delivery} />
        </td>
        <td>
          {delivery.event ? (
            <Link href={`/events/${delivery.event}`}>
              <code>{delivery.event_type}</code>
            </Link>
          ) : (
            <code>{delivery.event_type}</code>
          )}
        </td>
        {columns.endpoint ? (
          <td className="webhook-url">
            {delivery.endpoint ? (
              <Link href={`/webhooks/${delivery.endpoint}`}>{endpointUrl ?? delivery.endpoint}</Link>
            ) : (
              '—'
            )}
          </td>
        ) : null}
        <td className="num">{delivery.attempt ?? '—'}</td>
        <td className="num">{delivery.http_status ?? '—'}</td>
        <td className="num">{formatNumber(delivery.duration_ms)} ms</td>
        <td>{formatDate(delivery.created_at)}</td>
        <td>
          <button
            type="button"
            className="button-link"
            aria-expanded={open}
            aria-controls={detailId}
            aria-label={`${open ? 'Hide' : 'Details'} of ${delivery.event_type} attempt ${delivery.attempt}`}
            onClick={() => setOpen(!open)}
          >
            {open ? 'Hide' : 'Details'}
          </button>
        </td>
      </tr>
      {open ? (
        <tr id={detailId} className="webhook-detail-row">
          <td colSpan={columnCount}>
            <WebhookDeliveryFacts delivery={delivery} />
            {delivery.event && delivery.endpoint ? (
              <>
                <WebhookRedeliverButton
                  eventId={delivery.event}
                  endpointId={delivery.endpoint}
                  label="Redeliver to this endpoint"
                  disabled={Boolean(redeliverBlocked)}
                />
                {redeliverBlocked ? <p className="muted">{redeliverBlocked}</p> : null}
              </>
            ) : null}
          </td>
        </tr>
      ) : null}
    </>
  );
}
