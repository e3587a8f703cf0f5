// The account's own settings (GET/PATCH /v1/account): its name, the browser origins allowed to
// call the API with its credentials (CORS), and who is mailed about operational problems.
import { useState } from 'react';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { useSaveForm } from '../use-action.ts';
import { TextArea, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { formatDate } from './format.ts';
import { linesOf, toLines } from './apps-lines.ts';

type Account = Awaited<ReturnType<typeof fieldline.account.get>>;

export function SettingsAccount() {
  const account = useQuery(() => fieldline.account.get(), []);
  return (
    <section className="card settings-account" aria-labelledby="account-heading" aria-busy={account.loading}>
      <h2 id="account-heading">Account</h2>
      <ProblemNotice error={account.error} />
      {account.data ? (
        <AccountForm key={account.data.id} account={account.data} />
      ) : account.loading ? (
        <p className="muted">Loading the account…</p>
      ) : null}
    </section>
  );
}

function AccountForm({ account }: { account: Account }) {
  const [name, setName] = useState(account.name);
  const [origins, setOrigins] = useState(toLines(account.cors_allowed_origins));
  const [emails, setEmails] = useState(toLines(account.notification_emails));
  // Show what the API kept (it drops repeated lines and lower-cases emails).
  const save = useSaveForm(
    () =>
      fieldline.account.update({ name, cors_allowed_origins: linesOf(origins), notification_emails: linesOf(emails) }),
    (updated) => {
      setOrigins(toLines(updated.cors_allowed_origins));
      setEmails(toLines(updated.notification_emails));
    },
  );
  return (
    <form onSubmit={save.onSubmit}>
      <p className="muted">
        Plan <span className="badge">{account.plan}</span> · account <code>{account.id}</code> · since{' '}
        {formatDate(account.created_at)}
      </p>
      <TextField
        label="Account name"
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          save.edited();
        }}
        required
        maxLength={200}
      />
      <div className="grid-2">
        <TextArea
          label="Allowed browser origins (CORS)"
          value={origins}
          onChange={(event) => {
            setOrigins(event.target.value);
            save.edited();
          }}
          hint={
            "One a line, scheme://host[:port]: web pages there may call the API with this account's keys. " +
            'Empty: none. E.g. https://app.example.com'
          }
        />
        <TextArea
          label="Notification emails"
          value={emails}
          onChange={(event) => {
            setEmails(event.target.value);
            save.edited();
          }}
          hint={
            'One a line (up to 10): mailed when a webhook endpoint is disabled after failing deliveries. ' +
            'E.g. ops@example.com'
          }
        />
      </div>
      <ProblemNotice error={save.error} title="The account was not saved" />
      <div className="actions">
        <button type="submit" className="button-primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save account'}
        </button>
        {save.saved ? (
          <span className="badge badge-good" role="status">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}
