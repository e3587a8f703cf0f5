// The editable fields of a webhook endpoint (URL, description, event types): for adding one and for editing it.
import { useState, type FormEvent, type ReactNode } from 'react';
import { TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { WebhookEventPicker } from './webhook-event-picker.tsx';

export interface EndpointFields {
  url: string;
  description: string | null;
  enabled_events: string[];
}

interface WebhookEndpointFormProps {
  initial: EndpointFields;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit(fields: EndpointFields): void;
  /** Extra controls beside the submit button (Cancel). */
  children?: ReactNode;
}

export function WebhookEndpointForm({
  initial,
  submitLabel,
  busy,
  error,
  onSubmit,
  children,
}: WebhookEndpointFormProps) {
  const [url, setUrl] = useState(initial.url);
  const [description, setDescription] = useState(initial.description ?? '');
  const [events, setEvents] = useState(initial.enabled_events);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit({ url: url.trim(), description: description.trim() || null, enabled_events: events });
  };
  return (
    <form onSubmit={submit}>
      <TextField
        label="Endpoint URL"
        type="url"
        required
        value={url}
        onChange={(event) => setUrl(event.target.value)}
        hint={
          'Events are POSTed here, signed per Standard Webhooks. ' +
          'Use https on the public internet, e.g. https://example.com/hooks/fieldline.'
        }
      />
      <TextField
        label="Description"
        value={description}
        maxLength={500}
        onChange={(event) => setDescription(event.target.value)}
        hint="Optional: what this endpoint is for, shown in the list."
      />
      <WebhookEventPicker value={events} onChange={setEvents} />
      <ProblemNotice error={error} />
      <div className="actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {children}
      </div>
    </form>
  );
}
