// The portal's pages, listed once: the navigation and the routes are both read from PAGES.
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import type { ComponentType } from 'react';
import { allows, useSession, useSignedIn } from './session.tsx';
import { AccountSwitcher } from './components/account-switcher.tsx';
import { LandingPage } from './pages/landing.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SignUpPage } from './pages/sign-up.tsx';
import { ResetPasswordPage } from './pages/reset-password.tsx';
import { AcceptInvitationPage } from './pages/accept-invitation.tsx';
import { VerifyEmailPage } from './pages/verify-email.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { OAuthAppsPage } from './pages/oauth-apps.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import { WebhookEndpointPage } from './pages/webhook-endpoint.tsx';
import { EventDeliveriesPage } from './pages/event-deliveries.tsx';
import { RequestLogsPage } from './pages/request-logs.tsx';
import { RequestLogPage } from './pages/request-log.tsx';
import { UsagePage } from './pages/usage.tsx';
import { BusinessPage } from './pages/business.tsx';
import { VoicePage } from './pages/voice.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { MembersPage } from './pages/members.tsx';
import { ReferencePage } from './pages/reference.tsx';
import { SettingsPage } from './pages/settings.tsx';

interface PortalPage {
  path: string;
  component: ComponentType<any>;
  /** Shown in the navigation under this label (pages reached from another page have none). */
  nav?: string;
  /** The scope the page reads with: a role without it does not see the page. */
  scope?: string;
}

/** Pages for a signed-in person, in navigation order. */
const PAGES: PortalPage[] = [
  { path: '/', component: OverviewPage, nav: 'Overview' },
  { path: '/business', component: BusinessPage, nav: 'Business', scope: 'read:analytics' },
  { path: '/voice', component: VoicePage, nav: 'Voice', scope: 'write:voice-commands' },
  { path: '/keys', component: ApiKeysPage, nav: 'API keys', scope: 'read:api-keys' },
  { path: '/apps', component: OAuthAppsPage, nav: 'OAuth apps', scope: 'read:oauth-clients' },
  { path: '/webhooks', component: WebhooksPage, nav: 'Webhooks', scope: 'read:webhook-endpoints' },
  { path: '/webhooks/:id', component: WebhookEndpointPage, scope: 'read:webhook-endpoints' },
  { path: '/events/:id', component: EventDeliveriesPage, scope: 'read:events' },
  { path: '/logs', component: RequestLogsPage, nav: 'Request logs', scope: 'read:request-logs' },
  { path: '/logs/:requestId', component: RequestLogPage, scope: 'read:request-logs' },
  { path: '/usage', component: UsagePage, nav: 'Usage', scope: 'read:request-logs' },
  { path: '/alerts', component: AlertsPage, nav: 'Alerts', scope: 'read:alert-rules' },
  { path: '/members', component: MembersPage, nav: 'Members', scope: 'read:users' },
  { path: '/reference', component: ReferencePage, nav: 'API reference' },
  { path: '/settings', component: SettingsPage, nav: 'Settings', scope: 'read:account' },
];

/** Pages anyone may open, signed in or not. */
const OPEN_PAGES: PortalPage[] = [
  { path: '/reset-password', component: ResetPasswordPage },
  { path: '/accept-invitation', component: AcceptInvitationPage },
  { path: '/verify-email', component: VerifyEmailPage },
];

/** Pages only for someone signed out (signed in, they lead home). */
const SIGNED_OUT_PAGES: PortalPage[] = [
  { path: '/sign-in', component: SignInPage },
  { path: '/sign-up', component: SignUpPage },
];

export function App() {
  const { current } = useSession();
  if (current === undefined)
    return (
      <p className="loading" aria-busy="true">
        Loading…
      </p>
    );
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {current ? <SignedInShell /> : null}
      <main id="main" className={current ? 'with-nav' : 'signed-out'} tabIndex={-1}>
        <Switch>
          {OPEN_PAGES.map((page) => (
            <Route key={page.path} path={page.path} component={page.component} />
          ))}
          {SIGNED_OUT_PAGES.map((page) => (
            <Route key={page.path} path={page.path}>
              {current ? <Redirect to="/" /> : <page.component />}
            </Route>
          ))}
          <Route>
            {/* Keyed by account: switching accounts starts every page afresh, with nothing of the other
                account on screen. */}
            {current ? <SignedInPages key={current.session.active_account_id ?? 'none'} /> : <SignedOutPages />}
          </Route>
        </Switch>
      </main>
    </>
  );
}

function SignedInPages() {
  const { scopes, member } = useSignedIn();
  return (
    <Switch>
      {PAGES.map((page) => (
        <Route key={page.path} path={page.path}>
          {(params) =>
            !page.scope || allows(scopes, page.scope) ? (
              <page.component params={params} />
            ) : (
              <NotForRole role={member?.role} />
            )
          }
        </Route>
      ))}
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}

function SignedOutPages() {
  const [location] = useLocation();
  return (
    <Switch>
      <Route path="/">
        <LandingPage />
      </Route>
      <Route>
        <Redirect to={`/sign-in?next=${encodeURIComponent(location)}`} />
      </Route>
    </Switch>
  );
}

function SignedInShell() {
  const { current, signOut } = useSession();
  const [location, navigate] = useLocation();
  return (
    <header className="shell">
      <div className="brand">
        <Link href="/">Fieldline</Link> <span className="muted">developers</span>
      </div>
      <nav aria-label="Portal">
        <ul>
          {PAGES.filter((page) => page.nav && (!page.scope || allows(current!.scopes, page.scope))).map((page) => {
            const active = page.path === '/' ? location === '/' : location.startsWith(page.path);
            return (
              <li key={page.path}>
                <Link href={page.path} aria-current={active ? 'page' : undefined}>
                  {page.nav}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="who">
        <AccountSwitcher />
        <span className="muted" title={current?.person.email}>
          {current?.person.name}
        </span>
        <button
          type="button"
          onClick={async () => {
            await signOut();
            navigate('/sign-in');
          }}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}

function NotForRole({ role }: { role: string | undefined }) {
  return (
    <section>
      <h1>Not for your role</h1>
      <p>
        Your role
        {role ? (
          <>
            , <strong>{role.replace(/_/g, ' ')}</strong>,
          </>
        ) : null}{' '}
        may not use this page in this account. An owner or admin can change your role.
      </p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
