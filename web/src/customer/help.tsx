// Help: ask the business a question (a ticket), and see the ones asked before.
import { useState, type FormEvent } from 'react';
import { api, Problem, type Ticket } from './customer-api.ts';
import { label } from './format.ts';
import { useList } from './use-list.ts';

export function Help() {
  const { rows, reload } = useList<Ticket>('/tickets?limit=20');
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', '/tickets', { subject, ...(description.trim() ? { description } : {}) });
      setSubject('');
      setDescription('');
      reload();
    } catch (problem) {
      setError(problem instanceof Problem ? problem.detail : 'That did not work: try again.');
    }
  }

  return (
    <section aria-labelledby="help">
      <h2 id="help">Ask for help</h2>
      <form onSubmit={submit}>
        <label htmlFor="help-subject">Subject</label>
        <input
          id="help-subject"
          required
          maxLength={200}
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
        />
        <label htmlFor="help-description">Details</label>
        <textarea id="help-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        <button>Send</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rows && rows.length > 0 && (
        <ul className="rows">
          {rows.map((ticket) => (
            <li key={ticket.id} data-id={ticket.id}>
              {ticket.subject} <span className={`badge ${ticket.status}`}>{label(ticket.status)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
