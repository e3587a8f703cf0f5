// "Recover failed deliveries since…": queues again every delivery to an endpoint that failed for good.
import { useState, type FormEvent } from 'react';
import { fieldline } from '../api.ts';
import { useAction } from '../use-action.ts';
import { TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { countOf } from './webhook-labels.tsx';

/** A datetime-local value (the reader's time zone) for `date`. */
function localInputValue(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function WebhookRecoverForm({ endpointId, enabled }: { endpointId: string; enabled: boolean }) {
  const [since, setSince] = useState(() => localInputValue(new Date(Date.now() - 86_400_000)));
  const [requeued, setRequeued] = useState<number | null>(null);
  const recover = useAction(async () => {
    setRequeued(null);
    const answer = await fieldline.webhookEndpoints.recover(endpointId, { since: new Date(since).toISOString() });
    setRequeued(answer.requeued);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void recover.run();
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="webhook-recover-heading">
      <h2 id="webhook-recover-heading">Recover failed deliveries</h2>
      <p className="muted">
        After an outage of your receiver: sends again every delivery to this endpoint that failed for good (every retry
        used, or a failed test) for events since this time.
      </p>
      <TextField
        label="Failed since"
        type="datetime-local"
        required
        value={since}
        onChange={(event) => setSince(event.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={!enabled || recover.busy}>
          {recover.busy ? 'Queuing…' : 'Recover failed deliveries'}
        </button>
        <span role="status">
          {requeued === null
            ? null
            : requeued
              ? `Queued ${countOf(requeued, 'delivery', 'deliveries')} again.`
              : 'Nothing failed for good since then: nothing was queued.'}
        </span>
      </div>
      {enabled ? null : <p className="muted">Enable the endpoint first: only enabled endpoints are sent to.</p>}
      <ProblemNotice error={recover.error} title="Nothing was recovered" />
    </form>
  );
}
