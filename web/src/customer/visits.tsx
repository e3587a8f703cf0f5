// The customer's visits: upcoming first, each with its arrival window and technician.
import type { Job } from './customer-api.ts';
import { label, window } from './format.ts';
import { useList } from './use-list.ts';

export function Visits({ timeZone }: { timeZone: string }) {
  const { rows } = useList<Job>('/jobs?limit=50');
  return (
    <section aria-labelledby="visits">
      <h2 id="visits">Your visits</h2>
      {rows === null ? (
        <p className="placeholder">Loading…</p>
      ) : rows.length === 0 ? (
        <p>No visits yet.</p>
      ) : (
        <ul className="rows">
          {rows.map((job) => (
            <li key={job.id} data-id={job.id}>
              <strong>{job.title}</strong> <span className={`badge ${job.status}`}>{label(job.status)}</span>
              <br />
              {job.scheduled_start && job.scheduled_end
                ? `Arriving ${window(job.scheduled_start, job.scheduled_end, timeZone)}`
                : 'Not scheduled yet'}
              {job.technician_first_name && ` · with ${job.technician_first_name}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
