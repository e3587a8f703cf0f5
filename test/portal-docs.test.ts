// The interactive reference at /docs in a real browser (Debian's Chromium): it is whole with
// every other host blocked (no fonts, proxy or telemetry from the vendor), shows no vendor
// toolbar, and reads the document without a validation complaint. (That every request example
// in the document passes validation is test/openapi-examples.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkipReason, startPortal, type PortalSession } from './support/browser.ts';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

describe('the API reference at /docs', { skip: browserSkipReason() }, () => {
  let portal: PortalSession;
  /** Hosts the page tried to reach besides this server (each refused). */
  const elsewhere = new Set<string>();
  const consoleProblems: string[] = [];

  before(async () => {
    portal = await startPortal();
    await portal.page.context().route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (['http:', 'https:'].includes(url.protocol) && !LOCAL_HOSTS.has(url.hostname)) {
        elsewhere.add(url.host);
        return route.abort('blockedbyclient');
      }
      return route.continue();
    });
    portal.page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type())) consoleProblems.push(message.text());
    });
  });
  after(async () => portal?.close());

  it('renders from this server alone, without the vendor toolbar or a console complaint', async () => {
    const { page } = portal;
    const started = Date.now();
    await page.goto('/docs');
    await page.getByRole('heading', { name: 'List customers' }).first().waitFor({ timeout: 60_000 });
    console.log(`/docs: first operation shown ${Date.now() - started} ms after navigation`);
    await page.waitForLoadState('networkidle');
    assert.deepEqual([...elsewhere], [], 'no request leaves this server');
    for (const vendorControl of ['Ask AI', 'Deploy', 'Share'])
      assert.equal(await page.getByRole('button', { name: vendorControl, exact: true }).count(), 0, vendorControl);
    assert.deepEqual(consoleProblems, []);
    assert.deepEqual(portal.pageErrors, []);
    await portal.screenshot('docs');
  });
});
