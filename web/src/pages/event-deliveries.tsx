// One event: its payload (GET /v1/events/{id}), and its deliveries to every endpoint, with redelivery.
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { formatDate } from '../components/format.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { WebhookDeliveryLog } from '../components/webhook-delivery-log.tsx';
import { WebhookRedeliverButton } from '../components/webhook-redeliver-button.tsx';
import './webhooks.css';

export function EventDeliveriesPage({ params }: { params: { id: string } }) {
  const eventQuery = useQuery(() => fieldline.events.get(params.id), [params.id]);
  const event = eventQuery.data;
  return (
    <section>
      <p>
        <Link href="/webhooks">← Webhooks</Link>
      </p>
      <PageHeader
        title={event?.type ? `Event ${event.type}` : 'Event'}
        description={
          event ? (
            <>
              <code>{event.id}</code> · {formatDate(event.created_at)}
              {event.request_id ? (
                <>
                  {' '}
                  · caused by request{' '}
                  <Link href={`/logs/${event.request_id}`}>
                    <code>{event.request_id}</code>
                  </Link>
                </>
              ) : null}
            </>
          ) : (
            params.id
          )
        }
      />
      <ProblemNotice error={eventQuery.error} title="This event did not load" />
      {eventQuery.loading && !event ? (
        <p className="loading" aria-busy="true">
          Loading the event…
        </p>
      ) : null}
      {event ? (
        <>
          <section className="card" aria-labelledby="event-redeliver-heading">
            <h2 id="event-redeliver-heading">Redeliver</h2>
            <p className="muted">
              Queues the event again for every enabled endpoint it went to or that subscribes to{' '}
              <code>{event.type}</code> now. Receivers see the same <code>webhook-id</code>, so they can ignore a copy
              they already handled.
            </p>
            <WebhookRedeliverButton eventId={event.id} label="Redeliver" />
          </section>
          <h2>Payload</h2>
          <p className="muted">
            The event as the API keeps it. Each delivery’s body carries its <code>id</code>, <code>type</code>,{' '}
            <code>created_at</code> and <code>data</code>, plus the endpoint’s <code>api_version</code>.
          </p>
          <pre className="webhook-payload" role="region" aria-label="Event payload" tabIndex={0}>
            {JSON.stringify(event, null, 2)}
          </pre>
          <h2>Deliveries</h2>
          <WebhookDeliveryLog
            label="Deliveries of this event"
            scope={event.id}
            columns={{ endpoint: true }}
            load={(filter, cursor) => fieldline.events.listDeliveries(event.id, { ...filter, cursor })}
            emptyText={
              'Not delivered anywhere yet. ' +
              'If an endpoint should take it, check its events and that it is enabled, then press “Redeliver”.'
            }
          />
        </>
      ) : null}
    </section>
  );
}
