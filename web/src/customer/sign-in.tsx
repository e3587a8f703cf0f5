// Signing in: an email address, then the six-digit code mailed to it (or the mail's link,
// which lands on /c/{account}/sign-in#token=...).
import { useEffect, useState, type FormEvent } from 'react';
import { api, Problem } from './customer-api.ts';

export function SignIn({ portal, onSignedIn }: { portal: string; onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
    if (!token) return;
    history.replaceState(null, '', `/c/${portal}`);
    setBusy(true);
    api('POST', '/auth/verify', { token })
      .then(onSignedIn)
      .catch(() => setError('This link has expired or was used already: ask for a new code.'))
      .finally(() => setBusy(false));
  }, [portal, onSignedIn]);

  async function run(event: FormEvent, work: () => Promise<void>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (problem) {
      setError(problem instanceof Problem ? problem.detail : 'Something went wrong: try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="card narrow">
      <h1>Sign in</h1>
      {!sent ? (
        <form
          onSubmit={(e) =>
            run(e, async () => (await api('POST', '/auth/start', { account_id: portal, email }), setSent(true)))
          }
        >
          <label htmlFor="email">Your email address</label>
          <input
            id="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <button disabled={busy}>Send me a code</button>
        </form>
      ) : (
        <form
          onSubmit={(e) =>
            run(e, async () => (await api('POST', '/auth/verify', { account_id: portal, email, code }), onSignedIn()))
          }
        >
          <p role="status">If {email} is on our records, a code is on its way. It works for 15 minutes.</p>
          <label htmlFor="code">Code</label>
          <input
            id="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            value={code}
            onChange={(e) => setCode(e.target.value.trim())}
          />
          <button disabled={busy}>Sign in</button>
          <button type="button" className="link" onClick={() => (setSent(false), setCode(''))}>
            Use another address
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
