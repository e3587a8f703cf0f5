// Authorization code + PKCE as a person lives it, in headless Chromium: the app (openid-client)
// sends them to authorize, they sign in on our page, click "Allow" on the consent page, the
// browser lands on the app's redirect URI with a code, and openid-client exchanges it and calls
// the API with the token. The pages send Referrer-Policy: no-referrer, so Chromium posts their
// forms with `Origin: null`: the forms must pass on their token and Sec-Fetch-Site, not on Origin.
// A form another site posts is refused, in the browser too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import * as oidc from 'openid-client';
import { browserSkipReason, launchChromium } from './support/browser.ts';
import { freePort, serveOn } from './support/real-port.ts';
import { createTestContext, type TestContext } from './support/test-context.ts';

const APP = 'https://app.example.test';
const REDIRECT_URI = `${APP}/callback`;
const PASSWORD = 'correct horse battery';

describe('the OAuth pages in a real browser', { skip: browserSkipReason() }, () => {
  let t: TestContext;
  let base: string;
  let closeServer: () => Promise<void>;
  let browser: Browser;
  /** The forms posted to the OAuth pages, as the server received them (Sec-Fetch-* included). */
  const posts: { path: string; origin: string | null; site: string | null }[] = [];

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestContext({ publicUrl: base });
    const app = t.app as { fetch: (request: Request, ...rest: unknown[]) => Response | Promise<Response> };
    const server = await serveOn(
      {
        fetch: (request: Request, ...rest: unknown[]) => {
          const path = new URL(request.url).pathname;
          if (request.method === 'POST' && path.startsWith('/oauth/'))
            posts.push({ path, origin: request.headers.get('origin'), site: request.headers.get('sec-fetch-site') });
          return app.fetch(request, ...rest);
        },
      },
      port,
    );
    closeServer = async () => {
      await server.close();
      await t.close();
    };
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await closeServer?.();
  });

  async function signUp(name: string) {
    const email = `${name.toLowerCase()}.${randomBytes(4).toString('hex')}@example.test`;
    const res = await t.call('POST', '/v1/auth/sign-up', {
      body: { name, email, password: PASSWORD, account_name: `${name}'s company` },
    });
    assert.equal(res.status, 201, res.text);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('fieldline.session_token='))!;
    return { email, cookie: cookie.split(';')[0], userId: res.body.data.user.user_id as string };
  }

  async function registerApp(cookie: string) {
    const res = await t.call('POST', '/v1/oauth/clients', {
      headers: { cookie },
      body: { name: 'Route planner', redirect_uris: [REDIRECT_URI], scopes: ['read:customers', 'read:users'] },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.data as { id: string; client_secret: string };
  }

  /** The app's side of the redirect: answers in the browser, without any network, and hands over the URL. */
  function appCallback(page: Page): Promise<URL> {
    return new Promise((resolve) => {
      void page.route(`${APP}/**`, async (route) => {
        resolve(new URL(route.request().url()));
        await route.fulfill({ contentType: 'text/html', body: '<p>Connected</p>' });
      });
    });
  }

  it('signs in, consents with a click and gives openid-client a code it exchanges for a working token', async () => {
    const developer = await signUp('Dev');
    const app = await registerApp(developer.cookie);
    const customer = await signUp('Eve');
    const config = await oidc.discovery(
      new URL(`${base}/v1/auth`),
      app.id,
      undefined,
      oidc.ClientSecretBasic(app.client_secret),
      { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' },
    );
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'read:customers read:users',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });

    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const landed = appCallback(page);
    await page.goto(authorizationUrl.href);
    await page.getByRole('heading', { name: 'Sign in to continue to Route planner' }).waitFor();
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Route planner wants access to Eve's company/ }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    const callback = await landed;
    await context.close();

    assert.deepEqual(
      posts.splice(0),
      [
        { path: '/oauth/sign-in', origin: 'null', site: 'same-origin' },
        { path: '/oauth/consent', origin: 'null', site: 'same-origin' },
      ],
      'Chromium posts both forms with Origin: null (and they passed: the app got its code)',
    );
    assert.ok(callback.searchParams.get('code'), callback.href);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });
    const me = await fetch(`${base}/v1/users/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).data.id, customer.userId, 'the token acts as the person who clicked Allow');
  });

  it("refuses the consent form when another site's page posts it, even with the page's token", async () => {
    const developer = await signUp('Fay');
    const app = await registerApp(developer.cookie);
    const customer = await signUp('Gil');
    const context = await browser.newContext();
    const [name, value] = customer.cookie.split('=');
    await context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: app.id,
      redirect_uri: REDIRECT_URI,
      scope: 'read:customers',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await page.goto(`${base}/v1/auth/oauth2/authorize?${query}`);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    // Suppose the token leaked: another site's page posts the same form, with it, in the same browser.
    const form = await page
      .locator('form')
      .evaluate((element) =>
        Object.fromEntries(new FormData(element as HTMLFormElement) as unknown as Iterable<[string, string]>),
      );
    const fields = Object.entries({ ...form, accept: 'true' })
      .map(([key, text]) => `<input type="hidden" name="${key}" value="${String(text).replace(/"/g, '&quot;')}">`)
      .join('');
    await page.route('https://evil.example.test/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form method="post" action="${base}/oauth/consent">${fields}<button>Win a prize</button></form>`,
      }),
    );
    const app2 = appCallback(page);
    let reachedApp = false;
    void app2.then(() => (reachedApp = true));
    await page.goto('https://evil.example.test/');
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.url() === `${base}/oauth/consent`),
      page.getByRole('button', { name: 'Win a prize' }).click(),
    ]);
    assert.equal(answer.status(), 403);
    assert.deepEqual(posts.splice(0), [{ path: '/oauth/consent', origin: 'null', site: 'cross-site' }]);
    await page.getByText('Consent is given on this page only.').waitFor();
    assert.equal(reachedApp, false, 'no code went to the app');
    await context.close();
  });
});
