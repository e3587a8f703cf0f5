// "Send test event": POSTs a webhook.test event to one endpoint now and shows what it answered.
import { useState } from 'react';
import { fieldline, type Schema } from '../api.ts';
import { useAction } from '../use-action.ts';
import { ProblemNotice } from './problem-notice.tsx';
import { WebhookDeliveryFacts } from './webhook-delivery-facts.tsx';

export function WebhookTestPanel({ endpointId, onSent }: { endpointId: string; onSent(): void }) {
  const [result, setResult] = useState<Schema<'WebhookDelivery'> | null>(null);
  const send = useAction(async () => {
    setResult(await fieldline.webhookEndpoints.test(endpointId));
    onSent();
  });
  return (
    <section className="card" aria-labelledby="webhook-test-heading">
      <h2 id="webhook-test-heading">Send a test event</h2>
      <p className="muted">
        POSTs a signed <code>webhook.test</code> event to this endpoint now, and shows its answer. Test events are not
        retried.
      </p>
      <button type="button" className="button-primary" onClick={() => void send.run()} disabled={send.busy}>
        {send.busy ? 'Sending…' : 'Send test event'}
      </button>
      <ProblemNotice error={send.error} title="The test was not sent" />
      <div role="region" aria-label="Test result" aria-live="polite">
        {result ? <WebhookDeliveryFacts delivery={result} /> : null}
      </div>
    </section>
  );
}
