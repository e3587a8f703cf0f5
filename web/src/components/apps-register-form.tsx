// Registers an OAuth app: who it is, how it signs in (redirect URIs for the authorization code
// grant, or client credentials to act as this account), its scopes and browser origins.
import { useState, type FormEvent } from 'react';
import { fieldline } from '../api.ts';
import { useAction } from '../use-action.ts';
import { Checkbox, SelectField, TextArea, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { ScopePicker } from './keys-scope-picker.tsx';
import { linesOf } from './apps-lines.ts';
import { isWildcardScope, type RegisteredApp } from './apps-types.ts';

export function AppRegisterForm({
  onRegistered,
  onCancel,
}: {
  onRegistered(app: RegisteredApp): void;
  onCancel(): void;
}) {
  const [name, setName] = useState('');
  const [homepage, setHomepage] = useState('');
  const [type, setType] = useState<'confidential' | 'public'>('confidential');
  const [redirects, setRedirects] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [clientCredentials, setClientCredentials] = useState(false);
  const [origins, setOrigins] = useState('');
  const register = useAction(() =>
    fieldline.oauth.createClient({
      name,
      type,
      scopes,
      redirect_uris: linesOf(redirects),
      allowed_origins: linesOf(origins),
      client_credentials: type === 'confidential' && clientCredentials,
      ...(homepage.trim() ? { uri: homepage.trim() } : {}),
    }),
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const app = await register.run();
    if (app) onRegistered(app);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="register-app-heading">
      <h2 id="register-app-heading">Register an OAuth app</h2>
      <div className="grid-3">
        <TextField
          label="App name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={200}
          hint="Shown to people on the consent screen."
        />
        <SelectField
          label="Client type"
          value={type}
          onChange={(event) => setType(event.target.value as 'confidential' | 'public')}
          hint={
            type === 'public'
              ? 'Mobile and single-page apps: no secret, PKCE only.'
              : 'Server apps that can keep a secret.'
          }
        >
          <option value="confidential">Confidential (has a secret)</option>
          <option value="public">Public (PKCE, no secret)</option>
        </SelectField>
        <TextField
          label="Homepage (optional)"
          type="url"
          value={homepage}
          onChange={(event) => setHomepage(event.target.value)}
          hint="E.g. https://example.com"
        />
      </div>
      <div className="grid-2">
        <TextArea
          label="Redirect URIs"
          value={redirects}
          onChange={(event) => setRedirects(event.target.value)}
          hint={
            'One a line: https, or http on localhost. Needed for people to connect their accounts. ' +
            'E.g. https://example.com/oauth/callback'
          }
        />
        <TextArea
          label="Allowed browser origins"
          value={origins}
          onChange={(event) => setOrigins(event.target.value)}
          hint={
            'One a line: origins a single-page app calls the API from with its tokens (CORS). ' +
            'E.g. https://app.example.com'
          }
        />
      </div>
      <Checkbox
        label="Client credentials: the app may also act as this account itself, with these scopes"
        checked={type === 'confidential' && clientCredentials}
        disabled={type === 'public'}
        onChange={(event) => setClientCredentials(event.target.checked)}
      />
      <ScopePicker value={scopes} onChange={setScopes} legend="App scopes" exclude={isWildcardScope} />
      <ProblemNotice error={register.error} title="The app was not registered" />
      <div className="actions">
        <button type="submit" className="button-primary" disabled={register.busy || !scopes.length}>
          {register.busy ? 'Registering…' : 'Register app'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {!scopes.length ? <span className="muted">Pick at least one scope.</span> : null}
      </div>
    </form>
  );
}
