// The "new API key" form: name, mode, optional expiry date, scopes and rate limits. The answer carries the
// secret, which the page shows once.
import { useState, type FormEvent } from 'react';
import { fieldline } from '../api.ts';
import { useAction } from '../use-action.ts';
import { SelectField, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { ScopePicker } from './keys-scope-picker.tsx';
import { draftOf, KeyRateLimitsFields, rateLimitsOf } from './keys-rate-limits.tsx';
import type { ApiKey } from './keys-status.ts';

export type CreatedKey = ApiKey & { secret: string };

/** The end of the chosen day, in the reader's time zone. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString();
}

function today(): string {
  const now = new Date();
  return (
    `${now.getFullYear()}-` +
    `${String(now.getMonth() + 1).padStart(2, '0')}-` +
    `${String(now.getDate()).padStart(2, '0')}`
  );
}

export function KeyCreateForm({ onCreated, onCancel }: { onCreated(key: CreatedKey): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'test' | 'live'>('live');
  const [expiresOn, setExpiresOn] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [rates, setRates] = useState(draftOf(null));
  const rateLimits = rateLimitsOf(rates);
  const create = useAction(
    async () =>
      (await fieldline.apiKeys.create({
        name,
        mode,
        scopes,
        ...(expiresOn ? { expires_at: endOfDay(expiresOn) } : {}),
        ...(rateLimits ? { rate_limits: rateLimits } : {}),
      })) as CreatedKey,
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await create.run();
    if (created) onCreated(created);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">New API key</h2>
      <div className="grid-3">
        <TextField
          label="Name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={200}
          hint="Who or what uses it. E.g. Zapier integration"
        />
        <SelectField
          label="Mode"
          value={mode}
          onChange={(event) => setMode(event.target.value as 'test' | 'live')}
          hint={
            "Live keys (fl_live_…) reach this account's data; " +
            'test keys (fl_test_…) its sandbox, where nothing is really sent.'
          }
        >
          <option value="live">Live</option>
          <option value="test">Test</option>
        </SelectField>
        <TextField
          label="Expires on"
          type="date"
          min={today()}
          value={expiresOn}
          onChange={(event) => setExpiresOn(event.target.value)}
          hint="Leave empty for a key that never expires."
        />
      </div>
      <ScopePicker value={scopes} onChange={setScopes} />
      <KeyRateLimitsFields value={rates} onChange={setRates} />
      <ProblemNotice error={create.error} title="The key was not created" />
      <div className="actions">
        <button type="submit" className="button-primary" disabled={create.busy || !scopes.length}>
          {create.busy ? 'Creating…' : 'Create key'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {!scopes.length ? <span className="muted">Pick at least one scope.</span> : null}
      </div>
    </form>
  );
}
