// Webhooks: the account's endpoints (add one, see its secret once) and its recent deliveries.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { PageHeader } from '../components/page-header.tsx';
import { WebhookCreateEndpoint } from '../components/webhook-create-endpoint.tsx';
import { WebhookDeliveryLog } from '../components/webhook-delivery-log.tsx';
import { WebhookEndpointTable } from '../components/webhook-endpoint-table.tsx';
import './webhooks.css';

export function WebhooksPage() {
  const [adding, setAdding] = useState(false);
  const [listVersion, setListVersion] = useState(0);
  return (
    <section>
      <PageHeader
        title="Webhooks"
        description={
          'Endpoints that receive your account’s events as signed POSTs (Standard Webhooks), ' +
          'and every delivery attempt.'
        }
      >
        {adding ? null : (
          <button type="button" className="button-primary webhook-nowrap" onClick={() => setAdding(true)}>
            Add endpoint
          </button>
        )}
      </PageHeader>
      {adding ? (
        <WebhookCreateEndpoint onCreated={() => setListVersion((v) => v + 1)} onClose={() => setAdding(false)} />
      ) : null}
      <h2>Endpoints</h2>
      <WebhookEndpointTable refreshKey={listVersion} />
      <h2>Recent deliveries</h2>
      <p className="muted">
        Every attempt to every endpoint, newest first. A failed attempt is retried after 5 s, 5 min, 30 min, 2 h, 5 h,
        then every 10 h for about 3 days.
      </p>
      <WebhookDeliveryLog
        label="Recent deliveries"
        scope="account"
        columns={{ endpoint: true }}
        refreshKey={listVersion}
        load={(filter, cursor) => fieldline.webhookDeliveries.list({ ...filter, cursor })}
        emptyText="No deliveries yet. Open an endpoint and press “Send test event”, or make a change its events cover."
      />
    </section>
  );
}
