// The signed-in person's live sessions on every device (GET /v1/auth/sessions), with "sign out"
// for any but this browser's own (the shell's Sign out ends that one).
import { fieldline } from '../api.ts';
import { useQuery } from '../use-query.ts';
import { ConfirmButton } from './confirm-button.tsx';
import { formatDate } from './format.ts';
import { Pager } from './pager.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { useLocalPages } from './apps-local-pages.ts';

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/Firefox\//, 'Firefox'],
  [/Chrom(e|ium)\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
  [/node|undici/i, 'Node.js'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome on Linux": enough to recognise a device; the whole user agent is in the title. */
export function describeAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (!browser && !system) return userAgent.slice(0, 60);
  return [browser ?? 'A browser', system ? `on ${system}` : ''].join(' ').trim();
}

export function SettingsSessions() {
  const sessions = useQuery(() => fieldline.auth.listSessions(), []);
  const pages = useLocalPages(sessions.data ?? [], 20);
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Your sessions</h2>
      <p className="muted">Where you are signed in. Sign out any device you do not recognise.</p>
      <ProblemNotice error={sessions.error} />
      <div className="table-wrap" aria-busy={sessions.loading}>
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">IP address</th>
              <th scope="col">Signed in</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((session) => (
              <tr key={session.id}>
                <td title={session.user_agent ?? undefined}>
                  {describeAgent(session.user_agent)}{' '}
                  {session.current ? <span className="badge badge-good">This browser</span> : null}
                </td>
                <td>{session.ip_address || '—'}</td>
                <td>{formatDate(session.created_at)}</td>
                <td>{formatDate(session.expires_at)}</td>
                <td>
                  {session.current ? (
                    <span className="muted">Signed in here</span>
                  ) : (
                    <ConfirmButton
                      title="Sign out this session?"
                      confirmLabel="Sign out session"
                      description={
                        `${describeAgent(session.user_agent)}, ` +
                        `signed in ${formatDate(session.created_at)}, is signed out at once.`
                      }
                      onConfirm={async () => {
                        await fieldline.auth.revokeSession(session.id);
                        sessions.reload();
                      }}
                    >
                      Sign out this session
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            ))}
            {!pages.items.length ? (
              <tr>
                <td colSpan={5} className="empty">
                  {sessions.loading ? 'Loading sessions…' : 'No live sessions.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager list={pages} label="Session pages" />
    </section>
  );
}
