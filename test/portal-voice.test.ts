// The Voice page in a real browser: a typed command becomes a plan whose lookups are done and
// whose change waits; nothing changes until "Confirm and run", which really assigns the job
// (read back through the API). The command then heads the recent list, and a second confirmation
// is not offered.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkipReason, signUpInPortal, startPortal, type PortalSession } from './support/browser.ts';

const skip = browserSkipReason();

describe('developer portal: voice commands', { skip }, () => {
  let portal: PortalSession;
  before(async () => {
    portal = await startPortal();
  });
  after(async () => {
    await portal?.close();
  });

  it('plans a typed command, changes nothing until confirmed, then assigns the job', async () => {
    const { page, t } = portal;
    await signUpInPortal(portal, 'Vera Voice', 'Vera Valves');
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const keyAnswer = await t.call('POST', '/v1/api-keys', {
      headers: { cookie },
      body: { name: 'Voice data', mode: 'live', scopes: ['read:*', 'write:*'] },
    });
    assert.equal(keyAnswer.status, 201, keyAnswer.text);
    const key: string = keyAnswer.body.data.secret;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await t.call(method, path, { key, body });
      assert.ok(response.status < 300, `${method} ${path}: ${response.text}`);
      return response.body.data;
    };
    const dee = await call('POST', '/v1/users', {
      name: 'Dee Walker',
      email: `dee.${Date.now()}@voice.example`,
      role: 'technician',
      status: 'active',
    });
    const jones = await call('POST', '/v1/customers', { name: 'Mary Jones' });
    const job = await call('POST', '/v1/jobs', { title: 'Replace water heater', customer_id: jones.id });

    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Voice' }).click();
    await page.getByRole('heading', { level: 1, name: 'Voice' }).waitFor();
    await page.getByText('No commands yet.').waitFor();
    await page.getByLabel('Command').fill('Schedule the Jones water heater job for tomorrow at 9 with Dee');
    await page.getByRole('button', { name: 'Plan' }).click();

    const command = page.getByRole('article', { name: 'Command' });
    await command.getByText('Planned: confirm to run the changes').waitFor();
    const steps = command.getByRole('list', { name: 'Plan' }).getByRole('listitem');
    const badges = await steps.locator('.badge').allInnerTexts();
    assert.deepEqual(badges, ['Done', 'Done', 'Done', 'Waits for you'], 'three lookups done, one change waiting');
    assert.match(await steps.nth(3).innerText(), /jobs_assign/);
    assert.equal((await call('GET', `/v1/jobs/${job.id}`)).status, 'unscheduled', 'planning changes nothing');
    await portal.screenshot('voice-planned');

    await command.getByRole('button', { name: 'Confirm and run' }).click();
    await command.locator('h2 .badge', { hasText: 'Done' }).waitFor();
    assert.equal(await command.getByRole('button', { name: 'Confirm and run' }).count(), 0, 'it runs once');
    const assigned = await call('GET', `/v1/jobs/${job.id}`);
    assert.equal(assigned.status, 'scheduled');
    assert.equal(assigned.technician_id, dee.id);

    const [logged] = await call('GET', '/v1/voice-commands?limit=1');
    assert.equal(logged.status, 'executed');
    const recent = page.locator('.voice-recent li').first();
    await recent.getByText('Schedule the Jones water heater job').waitFor();
    assert.equal(await recent.locator('.badge').innerText(), 'Done');
    await portal.screenshot('voice-executed');
    assert.deepEqual(portal.pageErrors, []);
  });
});
