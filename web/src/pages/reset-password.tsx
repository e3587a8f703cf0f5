// Password reset in two steps: ask for the mail, then (from its link, ?token=) set a new password.
import { useState } from 'react';
import { Link, useSearch } from 'wouter';
import { fieldline } from '../api.ts';
import { useFormAction } from '../use-action.ts';
import { PageHeader } from '../components/page-header.tsx';
import { TextField } from '../components/form-fields.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';

export function ResetPasswordPage() {
  const token = new URLSearchParams(useSearch()).get('token');
  const [done, setDone] = useState(false);
  const reset = useFormAction(async (form) => {
    if (token) await fieldline.auth.resetPassword({ token, new_password: String(form.get('new_password')) });
    else await fieldline.auth.requestPasswordReset({ email: String(form.get('email')) });
    setDone(true);
  });
  if (done) {
    return (
      <section className="narrow">
        <PageHeader title={token ? 'Password changed' : 'Check your mail'} />
        <p role="status">
          {token
            ? 'Your password is changed and every session of yours has ended.'
            : 'If that email belongs to an account, a reset link is on its way. It works for one hour.'}
        </p>
        <p>
          <Link href="/sign-in">Sign in</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="narrow">
      <PageHeader title={token ? 'Choose a new password' : 'Reset your password'} />
      <form onSubmit={reset.onSubmit} className="card">
        {token ? (
          <TextField
            label="New password"
            name="new_password"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            autoFocus
            hint="At least 10 characters."
          />
        ) : (
          <TextField label="Email" name="email" type="email" autoComplete="email" required autoFocus />
        )}
        <ProblemNotice error={reset.error} />
        <button type="submit" className="button-primary" disabled={reset.busy}>
          {token ? 'Set password' : 'Send reset link'}
        </button>
      </form>
      <p>
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </section>
  );
}
