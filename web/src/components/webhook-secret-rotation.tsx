// Rotating an endpoint's signing secret: the new one is shown once; the previous one keeps
// signing for a grace period, so receivers can switch without missing a delivery.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { formatDate } from './format.ts';
import { SelectField } from './form-fields.tsx';
import { SecretOnce } from './secret-once.tsx';

const GRACE_PERIODS = [
  { seconds: 86_400, label: '24 hours (default)' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 7 * 86_400, label: '7 days' },
  { seconds: 0, label: 'Stop at once' },
];

export function WebhookSecretRotation({ endpointId }: { endpointId: string }) {
  const [grace, setGrace] = useState(GRACE_PERIODS[0].seconds);
  const [rotated, setRotated] = useState<{ secret: string; previousExpiresAt: string } | null>(null);
  const rotate = async () => {
    const answer = await fieldline.webhookEndpoints.rotateSecret(endpointId, { expire_previous_in_seconds: grace });
    setRotated({ secret: answer.secret, previousExpiresAt: answer.previous_secret_expires_at });
  };
  return (
    <section className="card" aria-labelledby="webhook-secret-heading">
      <h2 id="webhook-secret-heading">Signing secret</h2>
      <p className="muted">
        Each delivery’s <code>webhook-signature</code> is made with it. It was shown once, when the endpoint was added;
        if it leaked or was lost, rotate it.
      </p>
      <SelectField
        label="Previous secret keeps signing for"
        value={grace}
        onChange={(event) => setGrace(Number(event.target.value))}
      >
        {GRACE_PERIODS.map((period) => (
          <option key={period.seconds} value={period.seconds}>
            {period.label}
          </option>
        ))}
      </SelectField>
      <ConfirmButton
        className=""
        title="Rotate the signing secret?"
        confirmLabel="Rotate secret"
        onConfirm={rotate}
        description={
          grace
            ? 'A new secret signs every delivery from now on; until the grace period ends, ' +
              'deliveries carry both signatures.'
            : 'A new secret signs every delivery from now on; the previous one stops at once, ' +
              'so your receiver must switch now.'
        }
      >
        Rotate secret
      </ConfirmButton>
      {rotated ? (
        <>
          <SecretOnce label="New signing secret" secret={rotated.secret} onDismiss={() => setRotated(null)} />
          <p className="muted" role="status">
            The previous secret keeps signing until {formatDate(rotated.previousExpiresAt)}: deliveries carry both
            signatures until then.
          </p>
        </>
      ) : null}
    </section>
  );
}
