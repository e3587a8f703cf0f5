// The developer portal's public pages in a real browser (Debian's Chromium): a visitor without a
// session cookie makes no call that can only fail (no 401 from GET /v1/auth/session, nothing in
// the console), and once signed up, a reload still finds the session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkipReason, signUpInPortal, startPortal, type PortalSession } from './support/browser.ts';

describe('the portal for a visitor who is not signed in', { skip: browserSkipReason() }, () => {
  let portal: PortalSession;
  const failed: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    portal = await startPortal();
    portal.page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    portal.page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  });
  after(async () => portal?.close());

  it('shows the public pages without a failed request or a console error', async () => {
    for (const path of ['/', '/sign-in', '/sign-up']) {
      await portal.page.goto(`/portal${path}`, { waitUntil: 'networkidle' });
      await portal.page.getByRole('main').waitFor();
    }
    assert.deepEqual(failed, []);
    assert.deepEqual(consoleErrors, []);
  });

  it('finds the session after signing up and after a reload', async () => {
    await signUpInPortal(portal, 'Grace Hopper', 'Hopper Heating');
    await portal.page.reload({ waitUntil: 'networkidle' });
    await portal.page.getByRole('navigation', { name: 'Portal' }).waitFor();
    assert.deepEqual(failed, []);
    assert.deepEqual(portal.pageErrors, []);
  });
});
