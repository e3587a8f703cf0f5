// The link mailed at sign-up (?token=): confirms the email through the API and says so.
import { Link, useSearch } from 'wouter';
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';

export function VerifyEmailPage() {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const verified = useQuery(() => fieldline.auth.verifyEmail({ token }), [token]);
  return (
    <section className="narrow">
      <PageHeader title="Confirm your email" />
      {verified.loading ? <p aria-busy="true">Confirming…</p> : null}
      {verified.data ? <p role="status">Your email address is confirmed.</p> : null}
      <ProblemNotice error={verified.error} title="Not confirmed" />
      <p>
        <Link href="/">Continue to the portal</Link>
      </p>
    </section>
  );
}
