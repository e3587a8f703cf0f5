// Sign up: a person, a new account they own, and a session (POST /v1/auth/sign-up).
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { fieldline } from '../api.ts';
import { useSession } from '../session.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { TextField } from '../components/form-fields.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';

export function SignUpPage() {
  const { refresh } = useSession();
  const [, navigate] = useLocation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await fieldline.auth.signUp({
        name: String(form.get('name')), email: String(form.get('email')),
        password: String(form.get('password')), account_name: String(form.get('account_name')),
      });
      await refresh();
      navigate('/', { replace: true });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="narrow">
      <PageHeader title="Create your account" description="You will own a new Fieldline account; invite your team afterwards." />
      <form onSubmit={submit} className="card">
        <TextField label="Your name" name="name" autoComplete="name" required autoFocus maxLength={200} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required />
        <TextField label="Password" name="password" type="password" autoComplete="new-password" required minLength={10} hint="At least 10 characters." />
        <TextField label="Company name" name="account_name" autoComplete="organization" required maxLength={200} />
        <ProblemNotice error={error} title="Not signed up" />
        <button type="submit" className="button-primary" disabled={busy}>{busy ? 'Creating…' : 'Create account'}</button>
      </form>
      <p>Already have an account? <Link href="/sign-in">Sign in</Link></p>
    </section>
  );
}
