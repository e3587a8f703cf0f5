// An API failure shown to a person: what went wrong, which fields, and a link to the request in
// the request log (every problem response names its request_id).
import { Link } from 'wouter';
import { FieldlineError, problemText } from '../api.ts';

export function ProblemNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const problem = error instanceof FieldlineError ? error : null;
  const fieldErrors = problem?.problem.errors ?? [];
  // A single field error is usually the detail itself ("email: must be unique"): say it once.
  const listed = fieldErrors.length === 1 && problemText(error).includes(fieldErrors[0].message) ? [] : fieldErrors;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title ?? problem?.title ?? 'Something went wrong'}</strong>
      <p>{problemText(error)}</p>
      {listed.length ? (
        <ul>
          {listed.map((e, i) => (
            <li key={i}>
              <code>{e.path || 'body'}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {problem?.requestId ? (
        <p className="muted">
          Request{' '}
          <Link href={`/logs/${encodeURIComponent(problem.requestId)}`}>
            <code>{problem.requestId}</code>
          </Link>{' '}
          ({problem.status} {problem.code})
        </p>
      ) : null}
    </div>
  );
}
