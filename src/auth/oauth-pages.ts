// The two pages a person sees while an app asks for access: sign in (when they have no session)
// and consent (which app, which account, which scopes). Plain server-rendered HTML: they must
// work before the portal exists and with scripts off. Every value is escaped.
import { OFFLINE_ACCESS } from './oauth-provider.ts';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** What a scope lets an app do, in words. */
export function describeScope(scope: string): string {
  if (scope === OFFLINE_ACCESS) return 'Keep access while you are away (a refresh token)';
  const [verb, collection] = scope.split(':');
  if (!collection) return scope;
  const subject = collection.replace(/-/g, ' ');
  return verb === 'read' ? `Read ${subject}` : `Create, change and delete ${subject}`;
}

function page(title: string, body: string): string {
  return (
    `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${escapeHtml(title)} · Fieldline</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
    main { max-width: 28rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 8px; ` +
    `box-shadow: 0 1px 3px #0002; }
    h1 { font-size: 1.3rem; margin-top: 0; }
    label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
    input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .6rem; font: inherit; ` +
    `border: 1px solid #aab; border-radius: 4px; }
    button { font: inherit; padding: .6rem 1.2rem; border-radius: 4px; border: 1px solid #1f4fd1; ` +
    `background: #1f4fd1; color: #fff; cursor: pointer; }
    button.secondary { background: #fff; color: #1f4fd1; }
    button:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
    .actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
    .error { color: #a4161a; background: #fde8e8; padding: .5rem .75rem; border-radius: 4px; }
    ul { padding-left: 1.2rem; }
  </style>
</head>
<body><main>${body}</main></body>
</html>`
  );
}

export function signInPage(input: { oauthQuery: string; clientName: string; error?: string; email?: string }): string {
  return page(
    'Sign in',
    `
  <h1>Sign in to continue to ${escapeHtml(input.clientName)}</h1>
  ${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
  <form method="post">
    <input type="hidden" name="oauth_query" value="${escapeHtml(input.oauthQuery)}">
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
  clientName: string;
  clientUri: string | null;
  accountName: string;
  personEmail: string;
  scopes: string[];
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
  <p>It acts as you, with no more than your role allows. You can disconnect it at any time (connected apps).</p>
  <form method="post">
    <input type="hidden" name="oauth_query" value="${escapeHtml(view.oauthQuery)}">
    <div class="actions">
      <button type="submit" name="accept" value="true">Allow</button>
      <button type="submit" name="accept" value="false" class="secondary">Deny</button>
    </div>
  </form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
