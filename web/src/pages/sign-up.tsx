// Sign up: a person, a new account they own, and a session (POST /v1/auth/sign-up).
import { Link, useLocation, useSearch } from 'wouter';
import { fieldline } from '../api.ts';
import { useSession } from '../session.tsx';
import { useFormAction } from '../use-action.ts';
import { PageHeader } from '../components/page-header.tsx';
import { TextField } from '../components/form-fields.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { safeNext } from './sign-in.tsx';

export function SignUpPage() {
  const { refresh } = useSession();
  const [, navigate] = useLocation();
  const next = safeNext(useSearch());
  const invited = next.startsWith('/accept-invitation');
  const signUp = useFormAction(async (form) => {
    await fieldline.auth.signUp({
      name: String(form.get('name')),
      email: String(form.get('email')),
      password: String(form.get('password')),
      account_name: String(form.get('account_name')),
    });
    await refresh();
    navigate(next, { replace: true });
  });
  return (
    <section className="narrow">
      <PageHeader
        title="Create your account"
        description={
          invited
            ? 'Create your login, then accept the invitation on the next page. ' +
              'You also get an account of your own, which you can ignore.'
            : 'You will own a new Fieldline account; invite your team afterwards.'
        }
      />
      <form onSubmit={signUp.onSubmit} className="card">
        <TextField label="Your name" name="name" autoComplete="name" required autoFocus maxLength={200} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters."
        />
        <TextField label="Company name" name="account_name" autoComplete="organization" required maxLength={200} />
        <ProblemNotice error={signUp.error} title="Not signed up" />
        <button type="submit" className="button-primary" disabled={signUp.busy}>
          {signUp.busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account?{' '}
        <Link href={next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link>
      </p>
    </section>
  );
}
