// The two pages a person sees while an app asks for access: sign in (when they have no session)
// and consent (which app, which account, which scopes). Plain server-rendered HTML: they must
// work before the portal exists and with scripts off. Every value is escaped.
import { OFFLINE_ACCESS } from './oauth-provider.ts';
import { escapeHtml, page } from '../platform/api/html-page.ts';

/** What a scope lets an app do, in words. */
export function describeScope(scope: string): string {
  if (scope === OFFLINE_ACCESS) return 'Keep access while you are away (a refresh token)';
  const [verb, collection] = scope.split(':');
  if (!collection) return scope;
  const subject = collection.replace(/-/g, ' ');
  return verb === 'read' ? `Read ${subject}` : `Create, change and delete ${subject}`;
}

export interface SignInView {
  oauthQuery: string;
  clientName: string;
  /** The form's token (oauth-form-guard.ts): a post without it is refused. */
  formToken: string;
  error?: string;
  email?: string;
}

export function signInPage(input: SignInView): string {
  return page(
    'Sign in',
    `
  <h1>Sign in to continue to ${escapeHtml(input.clientName)}</h1>
  ${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
  <form method="post">
    <input type="hidden" name="oauth_query" value="${escapeHtml(input.oauthQuery)}">
    <input type="hidden" name="form_token" value="${escapeHtml(input.formToken)}">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required ` +
      `value="${escapeHtml(input.email ?? '')}">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <div class="actions"><button type="submit">Sign in</button></div>
  </form>`,
  );
}

export interface ConsentView {
  oauthQuery: string;
  formToken: string;
  clientName: string;
  clientUri: string | null;
  /** Registered by anyone (RFC 7591): its name is its own word. */
  selfRegistered: boolean;
  redirectUri: string;
  accountName: string;
  personEmail: string;
  scopes: string[];
}

/** An app anyone could have registered: say so, and where the answer goes, so a look-alike name fools no one. */
function selfRegisteredNote(redirectUri: string): string {
  const host = URL.canParse(redirectUri) ? new URL(redirectUri).host : redirectUri;
  return (
    `<p class="warning">This app registered itself: Fieldline has not checked its name. ` +
    `Allowing it sends you back to <strong>${escapeHtml(host)}</strong>.</p>`
  );
}

export function consentPage(view: ConsentView): string {
  const from =
    view.clientUri && /^https?:\/\//.test(view.clientUri)
      ? ` (<a href="${escapeHtml(view.clientUri)}" rel="noopener noreferrer">${escapeHtml(view.clientUri)}</a>)`
      : '';
  const scopeItems = view.scopes
    .map((scope) => `<li>${escapeHtml(describeScope(scope))} <code>${escapeHtml(scope)}</code></li>`)
    .join('');
  return page(
    'Allow access',
    `
  <h1>${escapeHtml(view.clientName)} wants access to ${escapeHtml(view.accountName)}</h1>
  <p>You are signed in as ${escapeHtml(view.personEmail)}. ${escapeHtml(view.clientName)}${from} will be able to:</p>
  <ul>${scopeItems}</ul>
  ${view.selfRegistered ? selfRegisteredNote(view.redirectUri) : ''}
  <p>It acts as you, with no more than your role allows. You can disconnect it at any time (connected apps).</p>
  <form method="post">
    <input type="hidden" name="oauth_query" value="${escapeHtml(view.oauthQuery)}">
    <input type="hidden" name="form_token" value="${escapeHtml(view.formToken)}">
    <div class="actions">
      <button type="submit" name="accept" value="true">Allow</button>
      <button type="submit" name="accept" value="false" class="secondary">Deny</button>
    </div>
  </form>`,
  );
}
