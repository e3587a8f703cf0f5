// Asking for a visit: a day and a part of it (morning or afternoon, in the customer's own time:
// their browser's zone), and a note. Staff confirm a time, which then shows here.
import { useState, type FormEvent } from 'react';
import { api, Problem, type VisitRequest } from './customer-api.ts';
import { label, when } from './format.ts';
import { useList } from './use-list.ts';

const PARTS = { morning: [8, 12], afternoon: [12, 17] } as const;

export function RequestVisit({ timeZone }: { timeZone: string }) {
  const { rows, reload } = useList<VisitRequest>('/schedule-requests?limit=20');
  const [day, setDay] = useState('');
  const [part, setPart] = useState<keyof typeof PARTS>('morning');
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const [from, to] = PARTS[part];
    const at = (hour: number) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00`).toISOString();
    try {
      await api('POST', '/schedule-requests', {
        preferred_windows: [{ starts_at: at(from), ends_at: at(to) }],
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setMessage({ text: 'Thanks: we will confirm a time.', error: false });
      setNote('');
      reload();
    } catch (problem) {
      setMessage({ text: problem instanceof Problem ? problem.detail : 'That did not work: try again.', error: true });
    }
  }

  return (
    <section aria-labelledby="request">
      <h2 id="request">Request a visit</h2>
      <form onSubmit={submit}>
        <label htmlFor="visit-day">Day</label>
        <input id="visit-day" type="date" required value={day} onChange={(e) => setDay(e.target.value)} />
        <label htmlFor="visit-part">Time of day</label>
        <select id="visit-part" value={part} onChange={(e) => setPart(e.target.value as keyof typeof PARTS)}>
          <option value="morning">Morning (8–12)</option>
          <option value="afternoon">Afternoon (12–17)</option>
        </select>
        <label htmlFor="visit-note">What is it about?</label>
        <textarea id="visit-note" rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
        <button>Send request</button>
      </form>
      {message && (
        <p className={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      {rows && rows.length > 0 && (
        <ul className="rows">
          {rows.map((request) => (
            <li key={request.id} data-id={request.id}>
              {request.note ?? 'Visit'} <span className={`badge ${request.status}`}>{label(request.status)}</span>
              {request.scheduled_start && <> · booked for {when(request.scheduled_start, timeZone)}</>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
