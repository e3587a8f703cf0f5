// Adding a webhook endpoint: the form, then its signing secret, shown once, and where to go next.
import { useState } from 'react';
import { Link } from 'wouter';
import { fieldline } from '../api.ts';
import { useAction } from '../use-action.ts';
import { SecretOnce } from './secret-once.tsx';
import { WebhookEndpointForm, type EndpointFields } from './webhook-endpoint-form.tsx';

interface CreatedEndpoint {
  id: string;
  url: string;
  secret: string;
}

const EMPTY: EndpointFields = { url: '', description: null, enabled_events: [] };

export function WebhookCreateEndpoint({ onCreated, onClose }: { onCreated(): void; onClose(): void }) {
  const [created, setCreated] = useState<CreatedEndpoint | null>(null);
  const create = useAction(async (fields: EndpointFields) => {
    const endpoint = await fieldline.webhookEndpoints.create(fields);
    setCreated({ id: endpoint.id, url: endpoint.url, secret: endpoint.secret });
    onCreated();
  });
  if (created) {
    return (
      <section className="card" aria-labelledby="webhook-created-heading">
        <h2 id="webhook-created-heading">Endpoint added</h2>
        <p className="webhook-url">
          Events now go to <strong>{created.url}</strong>. Verify each delivery’s <code>webhook-signature</code> with
          this secret (the <code>standardwebhooks</code> or <code>svix</code> packages do it).
        </p>
        <SecretOnce label="Signing secret" secret={created.secret} onDismiss={onClose} />
        <p>
          <Link href={`/webhooks/${created.id}`}>Open the endpoint</Link> to send it a test event.
        </p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="webhook-create-heading">
      <h2 id="webhook-create-heading">Add an endpoint</h2>
      <WebhookEndpointForm
        initial={EMPTY}
        submitLabel="Create endpoint"
        busy={create.busy}
        error={create.error}
        onSubmit={(fields) => void create.run(fields)}
      >
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </WebhookEndpointForm>
    </section>
  );
}
