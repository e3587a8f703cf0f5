// The customer's pages: sign in, then everything of theirs on one page, section by section.
import { useCallback, useEffect, useState } from 'react';
import { api, data, Problem, type Profile } from './customer-api.ts';
import { SignIn } from './sign-in.tsx';
import { Visits } from './visits.tsx';
import { Invoices } from './invoices.tsx';
import { Proposals } from './proposals.tsx';
import { RequestVisit } from './request-visit.tsx';
import { Help } from './help.tsx';

/** `portal`: the business in the address, /c/{portal}: its account id or its slug. */
export function CustomerApp({ portal }: { portal: string }) {
  const [profile, setProfile] = useState<Profile | null | 'signed-out'>(null);
  const load = useCallback(() => {
    data<Profile>('GET', '/me')
      .then(setProfile)
      .catch((problem) => setProfile(problem instanceof Problem && problem.status === 401 ? 'signed-out' : null));
  }, []);
  useEffect(load, [load]);

  useEffect(() => {
    if (profile && profile !== 'signed-out') document.title = `${profile.business.name}: your account`;
  }, [profile]);

  if (profile === null) return <p className="placeholder page">Loading…</p>;
  const ours = profile !== 'signed-out' && [profile.business.account_id, profile.business.portal].includes(portal);
  if (profile === 'signed-out' || !ours) return <SignIn portal={portal} onSignedIn={load} />;
  const paid = new URLSearchParams(window.location.search).has('paid');
  const signOut = () => api('POST', '/auth/sign-out').finally(() => setProfile('signed-out'));
  return (
    <>
      <header className="bar">
        <span className="business">{profile.business.name}</span>
        <button className="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main className="page">
        <h1>Hello, {profile.customer.name}</h1>
        {paid && (
          <p className="ok" role="status">
            Thank you: your payment is being confirmed, and the invoice shows paid once it is.
          </p>
        )}
        <Visits timeZone={profile.business.time_zone} />
        <Invoices onlinePayments={profile.online_payments === true} />
        <Proposals />
        <RequestVisit timeZone={profile.business.time_zone} />
        <Help />
        {(profile.business.phone || profile.business.email) && (
          <footer>
            Questions?{' '}
            {profile.business.phone && <a href={`tel:${profile.business.phone}`}>{profile.business.phone}</a>}{' '}
            {profile.business.email && <a href={`mailto:${profile.business.email}`}>{profile.business.email}</a>}
          </footer>
        )}
      </main>
    </>
  );
}
