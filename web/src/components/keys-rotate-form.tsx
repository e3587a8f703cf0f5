// Rotates an API key's secret (same id, name and scopes) with a grace period for the previous
// secret, and shows the new one once.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { SelectField } from './form-fields.tsx';
import { SecretOnce } from './secret-once.tsx';
import { formatDate } from './format.ts';
import { updateTryKey } from './keys-try-key.ts';
import type { ApiKey } from './keys-status.ts';

const GRACE_PERIODS = [
  { seconds: 0, label: 'Now' },
  { seconds: 3600, label: 'In 1 hour' },
  { seconds: 86_400, label: 'In 24 hours' },
  { seconds: 604_800, label: 'In 7 days' },
];

export function KeyRotateForm({ apiKey, onRotated }: { apiKey: ApiKey; onRotated(key: ApiKey): void }) {
  const [grace, setGrace] = useState(86_400);
  const [rotated, setRotated] = useState<{ secret: string; previousEndsAt: string } | null>(null);
  const graceWords = GRACE_PERIODS.find((period) => period.seconds === grace)?.label.toLowerCase() ?? '';
  const rotate = async () => {
    const result = await fieldline.apiKeys.rotate(apiKey.id, { expire_previous_in_seconds: grace });
    setRotated({ secret: result.secret, previousEndsAt: result.previous_secret_expires_at });
    updateTryKey(apiKey.id, result.secret);
    onRotated(result);
  };
  return (
    <div>
      <h3>Rotate the secret</h3>
      <p className="muted">
        A new secret for the same key. Keep the previous one working long enough to deploy the new one.
      </p>
      <div className="toolbar">
        <SelectField
          label="Previous secret stops working"
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
          title={`Rotate the secret of ${apiKey.name}?`}
          confirmLabel="Rotate"
          description={
            grace === 0
              ? 'The current secret stops working at once: anything still using it gets 401 until it has the new one.'
              : `The current secret keeps working ${graceWords}, then stops.`
          }
          onConfirm={rotate}
        >
          Rotate secret
        </ConfirmButton>
      </div>
      {rotated ? (
        <>
          <SecretOnce
            label={`New secret for ${apiKey.name}`}
            secret={rotated.secret}
            onDismiss={() => setRotated(null)}
          />
          <p className="muted">
            The previous secret {grace === 0 ? 'no longer works' : `works until ${formatDate(rotated.previousEndsAt)}`}.
          </p>
        </>
      ) : null}
    </div>
  );
}
