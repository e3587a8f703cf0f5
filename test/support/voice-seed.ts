// A small service business to speak to, for the voice command suites: customers (two named
// Lee, to be ambiguous), technicians (two named Sam), and jobs in every state, in an account
// whose time zone is America/Chicago. Voice commands read the clock at VOICE_NOW, a Tuesday.
import assert from 'node:assert/strict';
import type { TestAccount, TestContext } from './test-context.ts';

/** Tuesday 8 December 2026, 09:00 in Chicago. */
export const VOICE_NOW = new Date('2026-12-08T15:00:00Z');
export const VOICE_TIME_ZONE = 'America/Chicago';

export interface VoiceSeed {
  customers: Record<'jones' | 'smith' | 'annLee' | 'tomLee' | 'garcia', string>;
  technicians: Record<'dee' | 'marco' | 'samOrtiz' | 'samPark', string>;
  jobs: Record<'waterHeater' | 'sink' | 'roof' | 'gutters' | 'furnace' | 'ac' | 'fence', string>;
}

export async function seedVoiceAccount(t: TestContext, account: TestAccount): Promise<VoiceSeed> {
  const call = async (method: string, path: string, body?: unknown, status = 200) => {
    const response = await t.call(method, path, { key: account.key, body });
    assert.equal(response.status, status, `${method} ${path}: ${response.text}`);
    return response.body.data as Record<string, any>;
  };
  const create = (collection: string, body: Record<string, unknown>) =>
    call('POST', `/v1/${collection}`, body, 201).then((row) => row.id as string);
  await call('PATCH', '/v1/account/branding', { time_zone: VOICE_TIME_ZONE });
  const technician = (name: string, email: string) =>
    create('users', { name, email, role: 'technician', status: 'active' });
  const technicians = {
    dee: await technician('Dee Walker', 'dee@voice.test'),
    marco: await technician('Marco Diaz', 'marco@voice.test'),
    samOrtiz: await technician('Sam Ortiz', 'sam.ortiz@voice.test'),
    samPark: await technician('Sam Park', 'sam.park@voice.test'),
  };
  const customers = {
    jones: await create('customers', { name: 'Mary Jones', phone: '555 010 0001', notes: 'Side gate.' }),
    smith: await create('customers', { name: 'Bob Smith', email: 'bob@smith.test' }),
    annLee: await create('customers', { name: 'Ann Lee' }),
    tomLee: await create('customers', { name: 'Tom Lee' }),
    garcia: await create('customers', { name: 'Luis Garcia' }),
  };
  const job = (customer: string, title: string) => create('jobs', { customer_id: customer, title });
  const jobs = {
    waterHeater: await job(customers.jones, 'Replace water heater'),
    sink: await job(customers.jones, 'Fix kitchen sink'),
    roof: await job(customers.smith, 'Roof inspection'),
    gutters: await job(customers.smith, 'Gutter cleaning'),
    furnace: await job(customers.annLee, 'Furnace tune-up'),
    ac: await job(customers.tomLee, 'AC repair'),
    fence: await job(customers.garcia, 'Fence repair'),
  };
  // The sink: Dee's, tomorrow 14:00-16:00 Chicago. The gutters: under way. The furnace: done.
  await call('POST', `/v1/jobs/${jobs.sink}/assign`, {
    technician_id: technicians.dee,
    scheduled_start: '2026-12-09T20:00:00.000Z',
    scheduled_end: '2026-12-09T22:00:00.000Z',
  });
  const window = { scheduled_start: '2026-12-08T14:00:00.000Z', scheduled_end: '2026-12-08T16:00:00.000Z' };
  await call('POST', `/v1/jobs/${jobs.gutters}/schedule`, window);
  await call('POST', `/v1/jobs/${jobs.gutters}/start`, {});
  await call('POST', `/v1/jobs/${jobs.furnace}/schedule`, window);
  await call('POST', `/v1/jobs/${jobs.furnace}/start`, {});
  await call('POST', `/v1/jobs/${jobs.furnace}/complete`, {});
  // The fence: scheduled for Thursday, ready to start.
  await call('POST', `/v1/jobs/${jobs.fence}/schedule`, {
    scheduled_start: '2026-12-10T15:00:00.000Z',
    scheduled_end: '2026-12-10T17:00:00.000Z',
  });
  await create('invoices', { customer_id: customers.jones, job_id: jobs.sink, memo: 'Sink parts' });
  return { customers, technicians, jobs };
}

/** Gives a command as `key`; answers the logged command. */
export async function speak(t: TestContext, key: string, text: string, extra: Record<string, unknown> = {}) {
  const response = await t.call('POST', '/v1/voice-commands', { key, body: { text, ...extra } });
  assert.equal(response.status, 201, response.text);
  return response.body.data as Record<string, any>;
}
