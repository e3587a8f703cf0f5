// Sign in with email and password (POST /v1/auth/sign-in sets the session cookie).
import { Link, useLocation, useSearch } from 'wouter';
import { fieldline } from '../api.ts';
import { useSession } from '../session.tsx';
import { useFormAction } from '../use-action.ts';
import { PageHeader } from '../components/page-header.tsx';
import { TextField } from '../components/form-fields.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';

/** Where to go after signing in: only a path inside the portal (never another site). */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const { refresh } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const signIn = useFormAction(async (form) => {
    await fieldline.auth.signIn({ email: String(form.get('email')), password: String(form.get('password')) });
    await refresh();
    navigate(safeNext(search), { replace: true });
  });
  return (
    <section className="narrow">
      <PageHeader title="Sign in" />
      <form onSubmit={signIn.onSubmit} className="card">
        <TextField label="Email" name="email" type="email" autoComplete="email" required autoFocus />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
        <ProblemNotice error={signIn.error} title="Not signed in" />
        <button type="submit" className="button-primary" disabled={signIn.busy}>
          {signIn.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <Link href="/reset-password">Forgot your password?</Link> · <Link href="/sign-up">Create an account</Link>
      </p>
    </section>
  );
}
