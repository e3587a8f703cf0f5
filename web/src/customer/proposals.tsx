// Quotes and estimates: accept one by typing your name (your signature), or decline it.
import { useState, type FormEvent } from 'react';
import { api, Problem, type Proposal } from './customer-api.ts';
import { label, money } from './format.ts';
import { useList } from './use-list.ts';

function Decision({ proposal, path, onDone }: { proposal: Proposal; path: string; onDone: () => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const field = `sign-${proposal.id}`;

  async function decide(event: FormEvent | null, action: 'accept' | 'decline') {
    event?.preventDefault();
    setError(null);
    try {
      await api('POST', `/${path}/${proposal.id}/${action}`, action === 'accept' ? { signed_name: name } : {});
      onDone();
    } catch (problem) {
      setError(problem instanceof Problem ? problem.detail : 'That did not work: try again.');
    }
  }

  return (
    <form className="decision" onSubmit={(e) => decide(e, 'accept')}>
      <label htmlFor={field}>Type your full name to accept</label>
      <input
        id={field}
        autoComplete="name"
        required
        minLength={2}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <div className="actions">
        <button>Accept</button>
        <button type="button" className="secondary" onClick={() => decide(null, 'decline')}>
          Decline
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function ProposalList({ path, title }: { path: 'quotes' | 'estimates'; title: string }) {
  const { rows, reload } = useList<Proposal>(`/${path}?limit=50`);
  if (!rows?.length) return null;
  return (
    <>
      <h3>{title}</h3>
      <ul className="rows">
        {rows.map((proposal) => (
          <li key={proposal.id} data-id={proposal.id}>
            <strong>{proposal.title}</strong> · {money(proposal.total, proposal.currency)}{' '}
            <span className={`badge ${proposal.status}`}>{label(proposal.status)}</span>
            {proposal.accepted_by_name && <> · signed by {proposal.accepted_by_name}</>}
            <div className="actions">
              <a href={`/v1/customer/${path}/${proposal.id}/pdf`} target="_blank" rel="noreferrer">
                PDF
              </a>
            </div>
            {proposal.status === 'sent' && <Decision proposal={proposal} path={path} onDone={reload} />}
          </li>
        ))}
      </ul>
    </>
  );
}

export function Proposals() {
  return (
    <section aria-labelledby="proposals">
      <h2 id="proposals">Quotes and estimates</h2>
      <ProposalList path="quotes" title="Quotes" />
      <ProposalList path="estimates" title="Estimates" />
    </section>
  );
}
