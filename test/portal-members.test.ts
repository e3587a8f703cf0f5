// The members and API reference pages in a real browser: an owner adds a technician and mails
// the invitation; the invitee, signed up in another browser, accepts it from the mail's link and
// acts in the owner's account; the owner sees them active, changes their role and removes
// someone. The reference mounts Scalar with the tab's key for "Try it" and writes curl,
// TypeScript and Python samples for the chosen operation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSkipReason, signUpInPortal, startPortal, type PortalSession } from './support/browser.ts';
import { systemQuery } from '../src/db/system-query.ts';
import { requestLogWriter } from '../src/analytics/analytics-services.ts';

const skip = browserSkipReason();

/** The Cookie header of a browser context, for checking what the API now holds as that person. */
async function cookieOf(context: BrowserContext): Promise<string> {
  return (await context.cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
}

async function pageOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('developer portal: members and the API reference', { skip }, () => {
  let portal: PortalSession;
  let invitee: BrowserContext;
  before(async () => {
    portal = await startPortal();
  });
  after(async () => {
    await invitee?.close();
    await portal?.close();
  });

  async function lastMailTo(email: string): Promise<string> {
    const [row] = await systemQuery(portal.t.db, {
      sql: 'SELECT text_body FROM mail_outbox WHERE $1 = ANY (to_addresses) ORDER BY created_at DESC, id DESC LIMIT 1',
      parameters: [email],
    });
    assert.ok(row, `a mail was queued for ${email}`);
    return row.text_body as string;
  }

  it('invites a technician who accepts in another browser, then changes their role and removes a member', async () => {
    const { page } = portal;
    await signUpInPortal(portal, 'Olive Owner', 'Olive Heating');
    const owner = await cookieOf(page.context());

    // The person to invite signs up in a browser of their own (their own account, for now).
    invitee = await portal.browser.newContext({ baseURL: portal.base });
    const inviteePage = await invitee.newPage();
    inviteePage.setDefaultTimeout(15_000);
    inviteePage.on('pageerror', (error) => portal.pageErrors.push(error.message));
    const { email: inviteeEmail } = await signUpInPortal(
      {
        ...portal,
        page: inviteePage,
        open: async (path) => {
          await inviteePage.goto(`/portal${path}`);
        },
      },
      'Tess Tech',
      'Tess Solo',
    );

    await portal.open('/members');
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    const ownRow = page.getByRole('row').filter({ hasText: 'Olive Owner' });
    await ownRow.getByText('you', { exact: true }).waitFor();
    await page.getByText('Only an owner, signed in, can grant the owner role').waitFor();
    await page.getByRole('heading', { name: 'What each role may do' }).waitFor();
    assert.match(
      (await page.getByRole('definition').first().textContent()) ?? '',
      /\w/,
      'each role says what it may do',
    );

    await page.getByLabel('Name').fill('Tess Tech');
    await page.getByLabel('Email').fill(inviteeEmail);
    await page.getByLabel('Role', { exact: true }).selectOption('technician');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('status').filter({ hasText: 'Added Tess Tech as technician' }).waitFor();
    await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Invitation mailed to ${inviteeEmail}` })
      .waitFor();
    const tessRow = page.getByRole('row').filter({ hasText: 'Tess Tech' });
    await tessRow.getByText('Invited', { exact: true }).waitFor();

    const members = await portal.t.call('GET', '/v1/users?limit=100', { headers: { cookie: owner } });
    const tess = members.body.data.find((user: any) => user.email === inviteeEmail);
    assert.equal(tess.role, 'technician');
    assert.equal(tess.person_id, null);
    assert.ok(tess.invited_at, 'the API recorded the invitation');

    const link = /(\/portal\/accept-invitation\?token=inv_\S+)/.exec(await lastMailTo(inviteeEmail))?.[1];
    assert.ok(link, 'the invitation mail links to the portal');
    await inviteePage.goto(link);
    await inviteePage.getByRole('button', { name: 'Accept invitation' }).click();
    const switcher = inviteePage.locator('#account-switcher');
    await switcher.waitFor();
    await switcher.locator('option:checked', { hasText: 'Olive Heating' }).waitFor({ state: 'attached' });
    assert.deepEqual((await switcher.locator('option').allTextContents()).sort(), [
      'Olive Heating (technician)',
      'Tess Solo (owner)',
    ]);
    assert.equal(
      await switcher.locator('option:checked').textContent(),
      'Olive Heating (technician)',
      "the invitee now acts in the owner's account",
    );
    await inviteePage.getByRole('status').filter({ hasText: 'You joined Olive Heating' }).waitFor();
    const inviteeNav = await inviteePage
      .getByRole('navigation', { name: 'Portal' })
      .getByRole('link')
      .allTextContents();
    assert.deepEqual(
      inviteeNav,
      ['Overview', 'Voice', 'Members', 'API reference', 'Settings'],
      'a technician sees only the pages its role may use',
    );
    await inviteePage.goto('/portal/keys');
    await inviteePage.getByRole('heading', { name: 'Not for your role' }).waitFor();
    const inviteeSession = await portal.t.call('GET', '/v1/users/me', { headers: { cookie: await cookieOf(invitee) } });
    assert.equal(inviteeSession.body.data.id, tess.id, 'the invitee is the member the owner added');

    await page.reload();
    await tessRow.getByText('Active', { exact: true }).waitFor();
    await tessRow.getByRole('combobox', { name: 'Role Tess Tech' }).selectOption('dispatcher');
    await tessRow.getByRole('button', { name: 'Save role for Tess Tech' }).click();
    await tessRow.getByRole('button', { name: 'Save role for Tess Tech' }).waitFor({ state: 'detached' });
    assert.equal(
      (await portal.t.call('GET', `/v1/users/${tess.id}`, { headers: { cookie: owner } })).body.data.role,
      'dispatcher',
    );
    assert.equal(await tessRow.getByRole('combobox', { name: 'Role Tess Tech' }).inputValue(), 'dispatcher');
    await inviteePage.reload();
    await inviteePage
      .locator('#account-switcher option', { hasText: 'Olive Heating (dispatcher)' })
      .waitFor({ state: 'attached' });

    // A member added by mistake is removed, after a confirmation.
    await page.getByLabel('Name').fill('Rex Mistake');
    await page.getByLabel('Email').fill(`rex-${Date.now()}@example.com`);
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('status').filter({ hasText: 'Added Rex Mistake as technician' }).waitFor();
    const rexRow = page.getByRole('row').filter({ hasText: 'Rex Mistake' });
    await rexRow.getByText('Not invited yet').waitFor();
    await rexRow.getByRole('button', { name: 'Remove Rex Mistake' }).click();
    await page
      .getByRole('dialog', { name: 'Remove Rex Mistake?' })
      .getByRole('button', { name: 'Remove member' })
      .click();
    await rexRow.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Done' }).click();
    const after = await portal.t.call('GET', '/v1/users?limit=100', { headers: { cookie: owner } });
    assert.deepEqual(after.body.data.map((user: any) => user.name).sort(), ['Olive Owner', 'Tess Tech']);
    await portal.screenshot('members');

    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok((await pageOverflow(page)) <= 0, 'the members page fits a phone-width screen');
    await portal.screenshot('members-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("embeds Scalar with the tab's key for Try it, and writes code samples for the chosen operation", async () => {
    const { page } = portal;
    const owner = await cookieOf(page.context());
    const key = await portal.t.call('POST', '/v1/api-keys', {
      headers: { cookie: owner },
      body: { name: 'Reference tryout', scopes: ['read:customers'], mode: 'live' },
    });
    assert.equal(key.status, 201, key.text);
    // What the API keys page leaves in the tab after creating a key.
    await page.evaluate((stored) => sessionStorage.setItem('fieldline.portal.tryKey', JSON.stringify(stored)), {
      id: key.body.data.id,
      name: key.body.data.name,
      secret: key.body.data.secret,
    });

    await portal.open('/reference');
    await page.getByRole('heading', { name: 'API reference', level: 1 }).waitFor();
    assert.equal(await page.getByLabel('Key for Try it').inputValue(), key.body.data.secret);
    await page.getByText('Pre-filled with Reference tryout').waitFor();
    const scalar = page.getByTestId('scalar-reference');
    await scalar.getByText('List customers').first().waitFor({ timeout: 30_000 });
    const scalarHasKey = await scalar.evaluate(
      (root, secret) => [...root.querySelectorAll('input')].some((input) => input.value === secret),
      key.body.data.secret,
    );
    assert.ok(scalarHasKey, "Scalar's authentication holds the key, so Try it sends it");
    await portal.screenshot('reference');

    // Try it, for real: Scalar's client sends List customers with the key (the CSP lets it reach this origin).
    // Scalar renders an operation's example card (and its Test Request button) once it is shown.
    await scalar
      .getByRole('link', { name: /^List customers/ })
      .first()
      .click();
    await scalar.getByText('Test Request', { exact: true }).first().click();
    await page.getByRole('button', { name: /^Send/ }).first().click();
    const triedWithKey = async () => {
      await portal.t.runtime.use(requestLogWriter).flush();
      return (
        await portal.t.call('GET', `/v1/request-logs?api_key_id=${key.body.data.id}`, { headers: { cookie: owner } })
      ).body.data as any[];
    };
    for (let wait = 0; (await triedWithKey()).length === 0 && wait < 50; wait++) await page.waitForTimeout(100);
    const [tried] = await triedWithKey();
    assert.equal(tried?.route, '/v1/customers');
    assert.equal(tried?.status, 200, 'Try it called GET /v1/customers with the key and was answered 200');
    await page.keyboard.press('Escape');

    await page.getByLabel('Find an operation').fill('Create a customer');
    const operation = page.getByLabel('Operation', { exact: true });
    await operation.selectOption({ label: 'Create a customer (POST /v1/customers)' });
    // The portal's own samples (Scalar's client has tab panels of its own).
    const panel = page.locator('.code-tab-panel[role="tabpanel"]');
    await panel.getByText('curl -X POST').waitFor();
    const curl = (await panel.locator('code').textContent()) ?? '';
    assert.match(curl, new RegExp(`^curl -X POST ${portal.base}/v1/customers \\\\`));
    assert.match(curl, /"name": "Ada Lovelace"/);
    await page.getByRole('button', { name: 'Copy the curl sample' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), curl);

    await page.getByRole('tab', { name: 'TypeScript SDK' }).click();
    const typescript = (await panel.locator('code').textContent()) ?? '';
    assert.match(typescript, /import \{ Fieldline \} from '@fieldline\/sdk';/);
    assert.match(typescript, /const customer = await fieldline\.customers\.create\(\{\n {2}name: 'Ada Lovelace',/);
    await page.getByRole('tab', { name: 'TypeScript SDK' }).press('ArrowRight');
    assert.equal(
      await page.getByRole('tab', { name: 'Python SDK' }).getAttribute('aria-selected'),
      'true',
      'arrow keys move between tabs',
    );
    const python = (await panel.locator('code').textContent()) ?? '';
    assert.match(python, /customer = client\.customers\.create\(\n {4}name="Ada Lovelace",/);
    await page.getByRole('tab', { name: 'TypeScript SDK' }).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await portal.screenshot('reference-samples');

    await page.getByLabel('Find an operation').fill('no operation is called this');
    await page.getByText('No operation matches the search').waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok((await pageOverflow(page)) <= 0, 'the reference page fits a phone-width screen');
    await page.setViewportSize({ width: 1280, height: 860 });
    assert.deepEqual(portal.pageErrors, []);
  });
});
