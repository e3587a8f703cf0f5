// What keeps another site from posting the OAuth sign-in and consent forms (login CSRF, consent
// on someone's behalf). Our pages send `Referrer-Policy: no-referrer`, so a browser posts them
// with `Origin: null`: an origin check alone refuses every real browser. Instead each form carries
// a token, an HMAC (key derived from the server's key) bound to what another site cannot read or
// set: the consent form to the person's session, the sign-in form to a random cookie set with the
// page. And a browser's own word, Sec-Fetch-Site, refuses a post from any other site outright.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Runtime } from '../platform/contract.ts';

export type OAuthForm = 'sign-in' | 'consent';

/** The sign-in page's cookie: random, read by the server only, sent back with same-site posts only (Lax). */
export const SIGN_IN_FORM_COOKIE = 'fieldline.oauth_form';
/** The form field that carries the token. */
export const FORM_TOKEN_FIELD = 'form_token';

const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The token a form of `form` carries, bound to `binding` (the session token, or the sign-in cookie's value). */
export function formToken(runtime: Runtime, form: OAuthForm, binding: string): string {
  return createHmac('sha256', runtime.secrets.derive('oauth form tokens'))
    .update(`${form}\n${binding}`)
    .digest('base64url');
}

/** Whether `given` is the token for this form and binding, compared in constant time. */
export function formTokenMatches(runtime: Runtime, form: OAuthForm, binding: string | null, given: string): boolean {
  if (!binding) return false;
  const expected = Buffer.from(formToken(runtime, form, binding));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The sign-in cookie's value in a Cookie header, when it has the shape we set. */
export function signInFormCookieIn(cookieHeader: string | null): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at === -1 || part.slice(0, at).trim() !== SIGN_IN_FORM_COOKIE) continue;
    const value = part.slice(at + 1).trim();
    if (BINDING_PATTERN.test(value)) return value;
  }
  return null;
}

/** The sign-in page's binding: the one the browser already holds (several tabs stay valid), or a new one to set. */
export function signInFormBinding(runtime: Runtime, cookieHeader: string | null) {
  const held = signInFormCookieIn(cookieHeader);
  if (held) return { binding: held, setCookie: null };
  const binding = randomBytes(32).toString('base64url');
  const secure = runtime.options.publicUrl.startsWith('https:') ? '; Secure' : '';
  // A session cookie (no Max-Age): it only has to outlive the sign-in.
  return { binding, setCookie: `${SIGN_IN_FORM_COOKIE}=${binding}; Path=/oauth; HttpOnly; SameSite=Lax${secure}` };
}

/**
 * Whether a browser says the post came from another site: Sec-Fetch-Site other than our own
 * origin, or an Origin naming another (a privacy-stripped `null` says nothing either way).
 */
export function postedFromElsewhere(runtime: Runtime, request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return true;
  const origin = request.headers.get('origin');
  if (origin === null || origin === 'null') return false;
  return ![new URL(runtime.options.publicUrl).origin, new URL(request.url).origin].includes(origin);
}
