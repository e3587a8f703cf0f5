// One document from its mailed link, for a customer who does not sign in: the invoice, estimate
// or quote, its PDF, and paying it or answering it.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Problem } from './customer-api.ts';
import { label, money } from './format.ts';

interface LinkedDocument {
  document: {
    id: string;
    object: 'invoice' | 'estimate' | 'quote';
    title?: string;
    status: string;
    currency: string;
    total: number;
    amount_due?: number;
    due_date?: string | null;
    accepted_by_name?: string | null;
  };
  business: { name: string; email: string | null; phone: string | null };
  online_payments: boolean;
  pdf_url: string;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new Problem(response.status, json?.errors?.[0]?.message ?? json?.detail ?? 'Failed');
  return json.data as T;
}

export function DocumentPage({ token }: { token: string }) {
  const base = `/v1/customer/documents/${token}`;
  const [linked, setLinked] = useState<LinkedDocument | null | 'gone'>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    call<LinkedDocument>('GET', base)
      .then(setLinked)
      .catch(() => setLinked('gone'));
  }, [base]);
  useEffect(load, [load]);

  async function act(work: () => Promise<void>) {
    setError(null);
    try {
      await work();
    } catch (problem) {
      setError(problem instanceof Problem ? problem.detail : 'That did not work: try again.');
    }
  }
  const accept = (event: FormEvent) => {
    event.preventDefault();
    return act(async () => (await call('POST', `${base}/accept`, { signed_name: name }), load()));
  };
  const decline = () => act(async () => (await call('POST', `${base}/decline`, {}), load()));
  const pay = () =>
    act(async () => window.location.assign((await call<{ url: string }>('POST', `${base}/checkout`, {})).url));

  if (linked === null) return <p className="placeholder page">Loading…</p>;
  if (linked === 'gone')
    return (
      <main className="card narrow">
        <h1>This link has expired</h1>
        <p>Ask the business for a new one.</p>
      </main>
    );
  const { document, business } = linked;
  const kind = document.object.charAt(0).toUpperCase() + document.object.slice(1);
  const payable = document.object === 'invoice' && ['open', 'overdue'].includes(document.status);
  return (
    <>
      <header className="bar">
        <span className="business">{business.name}</span>
      </header>
      <main className="page">
        <h1>
          {kind} {document.title ?? document.id}
        </h1>
        {new URLSearchParams(window.location.search).has('paid') && (
          <p className="ok" role="status">
            Thank you: your payment is being confirmed.
          </p>
        )}
        <p>
          <strong>{money(document.total, document.currency)}</strong>{' '}
          <span className={`badge ${document.status}`}>{label(document.status)}</span>
          {document.accepted_by_name && <> · signed by {document.accepted_by_name}</>}
        </p>
        {payable && document.amount_due !== undefined && (
          <p>
            {money(document.amount_due, document.currency)} due{document.due_date && ` by ${document.due_date}`}
          </p>
        )}
        <div className="actions">
          <a href={linked.pdf_url} target="_blank" rel="noreferrer">
            Download the PDF
          </a>
          {payable && linked.online_payments && (
            <button onClick={pay}>Pay {money(document.amount_due ?? 0, document.currency)}</button>
          )}
        </div>
        {document.object !== 'invoice' && document.status === 'sent' && (
          <form className="decision" onSubmit={accept}>
            <label htmlFor="signed-name">Type your full name to accept</label>
            <input
              id="signed-name"
              autoComplete="name"
              required
              minLength={2}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <div className="actions">
              <button>Accept</button>
              <button type="button" className="secondary" onClick={decline}>
                Decline
              </button>
            </div>
          </form>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </main>
    </>
  );
}
