// An endpoint's lifecycle buttons: enable, disable (asks first: pending deliveries stop), delete (asks first).
import { useLocation } from 'wouter';
import { fieldline, type Schema } from '../api.ts';
import { useAction } from '../use-action.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { ProblemNotice } from './problem-notice.tsx';

interface WebhookEndpointActionsProps {
  endpoint: Schema<'WebhookEndpoint'>;
  onChanged(): void;
}

export function WebhookEndpointActions({ endpoint, onChanged }: WebhookEndpointActionsProps) {
  const [, navigate] = useLocation();
  const enable = useAction(async () => {
    await fieldline.webhookEndpoints.enable(endpoint.id);
    onChanged();
  });
  return (
    <>
      {endpoint.status === 'enabled' ? (
        <ConfirmButton
          className=""
          title="Disable this endpoint?"
          confirmLabel="Disable endpoint"
          description={
            'No events are queued for it until you enable it again, and its pending retries stop. ' +
            'Use “Recover failed deliveries” after enabling to catch up.'
          }
          onConfirm={async () => {
            await fieldline.webhookEndpoints.disable(endpoint.id);
            onChanged();
          }}
        >
          Disable
        </ConfirmButton>
      ) : (
        <button type="button" onClick={() => void enable.run()} disabled={enable.busy}>
          {enable.busy ? 'Enabling…' : 'Enable'}
        </button>
      )}
      <ConfirmButton
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        description={
          <>
            Events stop going to <strong className="webhook-url">{endpoint.url}</strong> and what it still had pending
            fails. This cannot be undone.
          </>
        }
        onConfirm={async () => {
          await fieldline.webhookEndpoints.delete(endpoint.id);
          navigate('/webhooks');
        }}
      >
        Delete endpoint
      </ConfirmButton>
      <ProblemNotice error={enable.error} title="Not enabled" />
    </>
  );
}
