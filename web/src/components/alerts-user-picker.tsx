// Picks the team members an alert notifies in the app (notify_user_ids), from the account's
// users.
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { Checkbox } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';

export function AlertsUserPicker({ value, onChange }: { value: string[]; onChange(next: string[]): void }) {
  const users = useQuery(() => fieldline.users.list({ limit: 100, sort: 'name' }), []);
  const list = users.data?.data ?? [];
  const chosen = new Set(value);
  const unknown = value.filter((id) => !list.some((user) => user.id === id));
  const toggle = (id: string, on: boolean) => onChange(on ? [...value, id] : value.filter((v) => v !== id));
  return (
    <fieldset>
      <legend>Notify team members in the app</legend>
      <ProblemNotice error={users.error} title="The team did not load" />
      <div className="picker" aria-busy={users.loading}>
        {list.map((user) => (
          <Checkbox
            key={user.id}
            checked={chosen.has(user.id)}
            onChange={(event) => toggle(user.id, event.target.checked)}
            label={
              <span className="wrap">
                {user.name}{' '}
                <span className="muted">
                  {user.email ?? ''}
                  {user.status && user.status !== 'active' ? ` (${user.status})` : ''}
                </span>
              </span>
            }
          />
        ))}
        {unknown.map((id) => (
          <Checkbox key={id} checked onChange={() => toggle(id, false)} label={<code>{id}</code>} />
        ))}
        {!users.loading && !list.length ? (
          <p className="muted">No team members yet: add them on the Members page.</p>
        ) : null}
      </div>
      {users.data?.page.has_more ? <p className="muted small">Showing the first 100 members by name.</p> : null}
    </fieldset>
  );
}
