// Editing an endpoint's URL, description and event types (PATCH /v1/webhook-endpoints/{id}).
import { useState } from 'react';
import { fieldline, type Schema } from '../api.ts';
import { useAction } from '../use-action.ts';
import { formatDate } from './format.ts';
import { WebhookEndpointForm, type EndpointFields } from './webhook-endpoint-form.tsx';

export function WebhookEndpointSettings({
  endpoint,
  onSaved,
}: {
  endpoint: Schema<'WebhookEndpoint'>;
  onSaved(): void;
}) {
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const save = useAction(async (fields: EndpointFields) => {
    setSavedAt(null);
    const updated = await fieldline.webhookEndpoints.update(endpoint.id, fields);
    setSavedAt(updated.updated_at);
    onSaved();
  });
  return (
    <section className="card" aria-labelledby="webhook-settings-heading">
      <h2 id="webhook-settings-heading">Settings</h2>
      <WebhookEndpointForm
        initial={{ url: endpoint.url, description: endpoint.description, enabled_events: endpoint.enabled_events }}
        submitLabel="Save changes"
        busy={save.busy}
        error={save.error}
        onSubmit={(fields) => void save.run(fields)}
      >
        <span role="status" className="muted">
          {savedAt ? `Saved at ${formatDate(savedAt)}.` : null}
        </span>
      </WebhookEndpointForm>
    </section>
  );
}
