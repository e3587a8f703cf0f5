// Joining an account from an invitation mail (?token=): sign in or up first, then accept.
import { useState } from 'react';
import { Link, useSearch } from 'wouter';
import { fieldline } from '../api.ts';
import { useSession } from '../session.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { TextField } from '../components/form-fields.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';

export function AcceptInvitationPage() {
  const search = useSearch();
  const { current, refresh, switchAccount } = useSession();
  const [token, setToken] = useState(new URLSearchParams(search).get('token') ?? '');
  const [joined, setJoined] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const here = `/accept-invitation?${new URLSearchParams({ token })}`;
  if (!current) {
    return (
      <section className="narrow">
        <PageHeader title="Join an account" description="Sign in, or create your login, to accept the invitation." />
        <div className="actions">
          <Link className="button button-primary" href={`/sign-in?next=${encodeURIComponent(here)}`}>
            Sign in
          </Link>
          <Link className="button" href={`/sign-up?next=${encodeURIComponent(here)}`}>
            Create a login
          </Link>
        </div>
      </section>
    );
  }
  const accept = async () => {
    setError(null);
    try {
      const member = (await fieldline.auth.acceptInvitation({ token })) as {
        account_id: string;
        account_name?: string;
      };
      await refresh();
      await switchAccount(member.account_id);
      setJoined(member.account_name ?? member.account_id);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section className="narrow">
      <PageHeader title="Join an account" />
      {joined ? (
        <p role="status">
          You joined <strong>{joined}</strong>. <Link href="/">Go to the overview</Link>
        </p>
      ) : (
        <form
          className="card"
          onSubmit={(event) => {
            event.preventDefault();
            void accept();
          }}
        >
          <TextField
            label="Invitation token"
            name="token"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            required
          />
          <ProblemNotice error={error} />
          <button type="submit" className="button-primary">
            Accept invitation
          </button>
        </form>
      )}
    </section>
  );
}
