// The account's API keys, one page at a time: what each key is, what it may do, when it was
// last used, and whether it still works.
import type { CursorList } from '../use-query.ts';
import { formatDate } from './format.ts';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { keyHint, keyState, scopeSummary, type ApiKey } from './keys-status.ts';

interface KeysTableProps {
  list: CursorList<ApiKey>;
  selectedId: string | undefined;
  onManage(key: ApiKey): void;
  emptyText: string;
}

export function KeysTable({ list, selectedId, onManage, emptyText }: KeysTableProps) {
  return (
    <>
      <ProblemNotice error={list.error} />
      <div className="table-wrap" aria-busy={list.loading}>
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Mode</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((key) => {
              const state = keyState(key);
              return (
                <tr key={key.id} className={key.id === selectedId ? 'selected' : undefined}>
                  <td>
                    <strong>{key.name}</strong>
                  </td>
                  <td>
                    <span className={key.mode === 'live' ? 'badge badge-warn' : 'badge'}>{key.mode}</span>
                  </td>
                  <td>
                    <code>{keyHint(key)}</code>
                  </td>
                  <td title={key.scopes.join(' ')}>{scopeSummary(key.scopes)}</td>
                  <td>{formatDate(key.created_at)}</td>
                  <td>{key.last_used_at ? formatDate(key.last_used_at) : <span className="muted">Never</span>}</td>
                  <td>{key.expires_at ? formatDate(key.expires_at) : <span className="muted">Never</span>}</td>
                  <td>
                    <span className={state.className}>{state.label}</span>
                    {key.revoked_at ? <div className="muted">{formatDate(key.revoked_at)}</div> : null}
                  </td>
                  <td>
                    {key.status === 'active' ? (
                      <button type="button" aria-label={`Manage ${key.name}`} onClick={() => onManage(key)}>
                        Manage
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
            {!list.items.length ? (
              <tr>
                <td colSpan={9} className="empty">
                  {list.loading ? 'Loading keys…' : emptyText}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager list={list} label="Key pages" />
    </>
  );
}
