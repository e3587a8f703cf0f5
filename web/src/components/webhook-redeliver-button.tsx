// Queues an event again (POST /v1/events/{id}/redeliver): to one endpoint, or to every enabled
// endpoint it went to or that subscribes to its type now.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { useAction } from '../use-action.ts';
import { ProblemNotice } from './problem-notice.tsx';
import { countOf } from './webhook-labels.tsx';

interface WebhookRedeliverButtonProps {
  eventId: string;
  /** Only this endpoint; absent: every endpoint the API picks. */
  endpointId?: string;
  label: string;
  disabled?: boolean;
}

export function WebhookRedeliverButton({ eventId, endpointId, label, disabled }: WebhookRedeliverButtonProps) {
  const [queued, setQueued] = useState<string[] | null>(null);
  const redeliver = useAction(async () => {
    setQueued(null);
    const answer = await fieldline.events.redeliver(eventId, endpointId ? { endpoint: endpointId } : {});
    setQueued(answer.endpoints);
  });
  return (
    <div>
      <div className="actions">
        <button type="button" onClick={() => void redeliver.run()} disabled={disabled || redeliver.busy}>
          {redeliver.busy ? 'Queuing…' : label}
        </button>
        <span role="status">
          {queued === null
            ? null
            : queued.length
              ? `Queued again for ${countOf(queued.length, 'endpoint')}. Press “Refresh” to see the new attempt.`
              : 'No enabled endpoint takes this event: nothing was queued.'}
        </span>
      </div>
      <ProblemNotice error={redeliver.error} title="Not redelivered" />
    </div>
  );
}
