// The customer's invoices: what is due, the PDF, and paying online when the business takes cards.
import { useState } from 'react';
import { data, Problem, type Invoice } from './customer-api.ts';
import { label, money } from './format.ts';
import { useList } from './use-list.ts';

export function Invoices({ onlinePayments }: { onlinePayments: boolean }) {
  const { rows } = useList<Invoice>('/invoices?limit=50');
  const [error, setError] = useState<string | null>(null);

  async function pay(invoice: Invoice) {
    setError(null);
    try {
      const checkout = await data<{ url: string }>('POST', `/invoices/${invoice.id}/checkout`, {});
      window.location.assign(checkout.url);
    } catch (problem) {
      setError(problem instanceof Problem ? problem.detail : 'The payment could not start: try again.');
    }
  }

  return (
    <section aria-labelledby="invoices">
      <h2 id="invoices">Invoices</h2>
      {rows === null ? (
        <p className="placeholder">Loading…</p>
      ) : rows.length === 0 ? (
        <p>No invoices.</p>
      ) : (
        <ul className="rows">
          {rows.map((invoice) => (
            <li key={invoice.id} data-id={invoice.id}>
              <strong>{money(invoice.total, invoice.currency)}</strong>{' '}
              <span className={`badge ${invoice.status}`}>{label(invoice.status)}</span>
              {invoice.amount_due > 0 && invoice.status !== 'void' && (
                <>
                  {' '}
                  · {money(invoice.amount_due, invoice.currency)} due{invoice.due_date && ` by ${invoice.due_date}`}
                </>
              )}
              <div className="actions">
                <a href={`/v1/customer/invoices/${invoice.id}/pdf`} target="_blank" rel="noreferrer">
                  PDF
                </a>
                {onlinePayments && invoice.amount_due > 0 && ['open', 'overdue'].includes(invoice.status) && (
                  <button onClick={() => pay(invoice)}>Pay {money(invoice.amount_due, invoice.currency)}</button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
