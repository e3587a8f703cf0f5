// One webhook endpoint: its settings and lifecycle, a test send, secret rotation, recovery, and its delivery log.
import { useState } from 'react';
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { formatDate } from '../components/format.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { WebhookDeliveryLog } from '../components/webhook-delivery-log.tsx';
import { WebhookEndpointActions } from '../components/webhook-endpoint-actions.tsx';
import { WebhookEndpointSettings } from '../components/webhook-endpoint-settings.tsx';
import { EndpointStatusBadge } from '../components/webhook-labels.tsx';
import { WebhookRecoverForm } from '../components/webhook-recover-form.tsx';
import { WebhookSecretRotation } from '../components/webhook-secret-rotation.tsx';
import { WebhookTestPanel } from '../components/webhook-test-panel.tsx';
import './webhooks.css';

export function WebhookEndpointPage({ params }: { params: { id: string } }) {
  const endpointQuery = useQuery(() => fieldline.webhookEndpoints.get(params.id), [params.id]);
  const [logVersion, setLogVersion] = useState(0);
  const endpoint = endpointQuery.data;
  const enabled = endpoint?.status === 'enabled';
  return (
    <section>
      <p>
        <Link href="/webhooks">← Webhooks</Link>
      </p>
      <PageHeader
        title="Webhook endpoint"
        description={endpoint ? <span className="webhook-url">{endpoint.url}</span> : params.id}
      >
        {endpoint ? (
          <>
            <EndpointStatusBadge status={endpoint.status} />
            <WebhookEndpointActions endpoint={endpoint} onChanged={endpointQuery.reload} />
          </>
        ) : null}
      </PageHeader>
      <ProblemNotice error={endpointQuery.error} title="This endpoint did not load" />
      {endpointQuery.loading && !endpoint ? (
        <p className="loading" aria-busy="true">
          Loading the endpoint…
        </p>
      ) : null}
      {endpoint ? (
        <>
          {endpoint.status === 'disabled' ? (
            <div className="notice notice-error" role="status">
              <strong>Disabled</strong>
              <p>
                {endpoint.disabled_reason ?? 'No events are sent to it.'} Enable it to receive new events, then recover
                what failed meanwhile.
              </p>
            </div>
          ) : null}
          {endpoint.failing_since ? (
            <div className="notice notice-info" role="status">
              <strong>Failing since {formatDate(endpoint.failing_since)}</strong>
              <p>Deliveries are being retried. After 5 days without a success the endpoint is disabled.</p>
            </div>
          ) : null}
          <div className="grid-2">
            <WebhookTestPanel endpointId={endpoint.id} onSent={() => setLogVersion((v) => v + 1)} />
            <WebhookSecretRotation endpointId={endpoint.id} />
          </div>
          <WebhookEndpointSettings key={endpoint.id} endpoint={endpoint} onSaved={endpointQuery.reload} />
          <WebhookRecoverForm endpointId={endpoint.id} enabled={enabled} />
          <h2>Delivery log</h2>
          <WebhookDeliveryLog
            label="Deliveries of this endpoint"
            scope={endpoint.id}
            columns={{ endpoint: false }}
            refreshKey={logVersion}
            load={(filter, cursor) => fieldline.webhookEndpoints.listDeliveries(endpoint.id, { ...filter, cursor })}
            redeliverBlocked={enabled ? null : 'Enable the endpoint to redeliver to it.'}
            emptyText="Nothing sent yet. Press “Send test event” above, or make a change one of its events covers."
          />
        </>
      ) : null}
    </section>
  );
}
