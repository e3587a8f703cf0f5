// Lifecycles, derived from the declarations: every state of every resource with a lifecycle
// is reached through the API, then every action the declaration forbids in that state must
// answer 409 invalid_state_transition and change nothing (object and event log untouched).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext, type TestAccount } from './support/test-context.ts';
import { Fixtures, sampleFromJsonSchema } from './support/fixtures.ts';
import { toJsonSchema } from '../src/platform/openapi/json-schema.ts';
import { actionInputSchema } from '../src/platform/operations/run-action.ts';
import { fieldlineApi } from '../src/main.ts';
import { campaignSending } from '../src/domain/campaign-sender.ts';
import { invoiceDunning } from '../src/delivery/delivery-module.ts';
import type { ResourceDefinition } from '../src/platform/contract.ts';
import { actionOf, stateOf } from './support/declared.ts';
import { campaignRecipients } from '../src/domain/campaign-recipients.ts';
import { campaigns } from '../src/domain/campaigns.ts';
import { invoices } from '../src/domain/invoices.ts';
import { jobs } from '../src/domain/jobs.ts';
import { serviceAgreements } from '../src/domain/service-agreements.ts';
import { agreementSweep } from '../src/domain/agreement-sweep.ts';
import { reports } from '../src/reports/reports.ts';
import { MAX_ATTEMPTS, reportWorkerKey } from '../src/reports/report-worker.ts';

const ctxReady = createTestContext();
let ctx: TestContext;
let account: TestAccount;
let fixtures: Fixtures;
before(async () => {
  ctx = await ctxReady;
  account = await ctx.newAccount();
  fixtures = new Fixtures(ctx, account);
});
after(async () => (await ctxReady).close());

type Step = { action: string };
/** Campaign sending runs in the background; the test runs it to completion. */
const sendCampaign = async (campaignId: string) => {
  const sent = await ctx.call('POST', `/v1/campaigns/${campaignId}/send`, { key: account.key });
  assert.equal(sent.status, 202, sent.text);
  await ctx.runtime.use(campaignSending).sendDue({ accountIds: [account.id] });
};
/** States no public action of the resource itself leads to, reached through another resource. */
/**
 * Claims reports a minute apart (a claim lapses after 30), until `report` has been claimed `times` times (other
 * reports of the account are claimed on the way, oldest first); answers the clock it got to.
 */
async function claimReport(report: Record<string, any>, times: number): Promise<number> {
  let now = Date.now();
  for (let claimed = 0, rounds = 0; claimed < times && rounds < 1000; rounds++) {
    now += 60_000;
    const [got] = await ctx.runtime.use(reportWorkerKey).claim(now, [account.id]);
    if (got?.id === report.id) claimed++;
  }
  return now;
}

const EXTERNAL_PATHS = new Map<string, { from: string; reach: (object: Record<string, any>) => Promise<void> }>([
  // Reports move by the report worker: claimed (running), made, or cut short every try (failed).
  [stateOf(reports, 'running'), { from: 'queued', reach: (report) => claimReport(report, 1).then(() => undefined) }],
  [
    stateOf(reports, 'succeeded'),
    { from: 'queued', reach: async () => void (await ctx.runtime.use(reportWorkerKey).run(Date.now(), [account.id])) },
  ],
  [
    stateOf(reports, 'failed'),
    {
      from: 'queued',
      reach: async (report) => {
        const now = await claimReport(report, MAX_ATTEMPTS);
        await ctx.runtime.use(reportWorkerKey).run(now + 31 * 60_000, [account.id]);
      },
    },
  ],
  [
    stateOf(invoices, 'paid'),
    {
      from: 'open',
      reach: async (invoice) => {
        const paid = await ctx.call('POST', `/v1/invoices/${invoice.id}/payments`, {
          key: account.key,
          body: { amount: invoice.amount_due, method: 'cash', currency: invoice.currency },
        });
        assert.equal(paid.status, 201, paid.text);
      },
    },
  ],
  [
    stateOf(invoices, 'overdue'),
    {
      from: 'open',
      reach: async (invoice) => {
        assert.ok(invoice.due_date && invoice.amount_due > 0, 'the sample invoice has a due date and an amount due');
        const dayAfterDue = Date.parse(`${invoice.due_date}T12:00:00Z`) + 2 * 86_400_000;
        await ctx.runtime.use(invoiceDunning).sweep({ now: dayAfterDue, accountIds: [account.id] });
      },
    },
  ],
  [
    stateOf(serviceAgreements, 'expired'),
    {
      from: 'active',
      reach: async (agreement) => {
        assert.ok(agreement.ends_on, 'the sample agreement has a term');
        const once = await ctx.call('PATCH', `/v1/service-agreements/${agreement.id}`, {
          key: account.key,
          body: { auto_renew: false },
        });
        assert.equal(once.status, 200, once.text);
        const dayAfterEnd = Date.parse(`${agreement.ends_on}T12:00:00Z`) + 2 * 86_400_000;
        await ctx.runtime.use(agreementSweep).sweep({ now: dayAfterEnd, accountIds: [account.id] });
      },
    },
  ],
  [
    stateOf(campaigns, 'sent'),
    {
      from: 'sending',
      reach: async () => {
        await ctx.runtime.use(campaignSending).sendDue({ accountIds: [account.id] });
      },
    },
  ],
  [
    stateOf(campaignRecipients, 'sent'),
    { from: 'pending', reach: async (recipient) => sendCampaign(recipient.campaign_id) },
  ],
  [
    stateOf(campaignRecipients, 'skipped'),
    {
      from: 'pending',
      reach: async (recipient) => {
        const cancelled = await ctx.call('POST', `/v1/campaigns/${recipient.campaign_id}/cancel`, { key: account.key });
        assert.equal(cancelled.status, 200, cancelled.text);
      },
    },
  ],
]);

/** What must be true before an action can run at all (a campaign is sent to someone). */
const BEFORE_ACTION = new Map<string, (object: Record<string, any>) => Promise<void>>([
  [
    actionOf(campaigns, 'send'),
    async (campaign) => {
      const contact = await ctx.call('POST', '/v1/contacts', {
        key: account.key,
        body: { first_name: 'Reader', email: `reader-${campaign.id}@example.test` },
      });
      const added = await ctx.call('POST', `/v1/campaigns/${campaign.id}/recipients`, {
        key: account.key,
        body: { contact_ids: [contact.body.data.id] },
      });
      assert.equal(added.status, 200, added.text);
    },
  ],
]);

/** A sample input; an action that books a technician (`technician_id`) gets an active one. */
async function inputFor(resource: ResourceDefinition, action: string): Promise<unknown> {
  const input = (await fixtures.withParentIds(
    sampleFromJsonSchema(toJsonSchema(actionInputSchema(resource.actions[action]))),
  )) as Record<string, unknown>;
  if (`${resource.collection}.${action}` === actionOf(jobs, 'assign') || 'technician_id' in input) {
    const technician = await ctx.call('POST', '/v1/users', {
      key: account.key,
      body: { name: 'Tess', email: `tess${Date.now()}${Math.random()}@example.com`, role: 'technician' },
    });
    // A job's assign goes without a window: it is allowed in progress too.
    if (`${resource.collection}.${action}` === actionOf(jobs, 'assign'))
      return { technician_id: technician.body.data.id };
    return { ...input, technician_id: technician.body.data.id };
  }
  return input;
}

/** Paths (action sequences) from a new object to every state the resource's actions reach. */
function statePaths(resource: ResourceDefinition): Map<string, Step[]> {
  const initial = String(resource.fields[resource.lifecycle!.field].defaultValue);
  const paths = new Map<string, Step[]>([[initial, []]]);
  const queue = [initial];
  while (queue.length) {
    const state = queue.shift()!;
    for (const [name, action] of Object.entries(resource.actions)) {
      if (action.internal || !action.to || (action.from && !action.from.includes(state)) || paths.has(action.to))
        continue;
      paths.set(action.to, [...paths.get(state)!, { action: name }]);
      queue.push(action.to);
    }
  }
  return paths;
}

async function objectInState(resource: ResourceDefinition, state: string): Promise<Record<string, any>> {
  const object = await fixtures.create(resource, 1);
  const paths = statePaths(resource);
  const external = EXTERNAL_PATHS.get(`${resource.collection}.${state}`);
  const steps = paths.get(state) ?? (external && paths.get(external.from));
  assert.ok(steps, `no way to reach ${resource.collection} state '${state}'`);
  const get = async () =>
    (await ctx.call('GET', `/v1/${resource.collection}/${object.id}`, { key: account.key })).body.data;
  for (const step of steps) {
    await BEFORE_ACTION.get(`${resource.collection}.${step.action}`)?.(await get());
    const response = await ctx.call('POST', `/v1/${resource.collection}/${object.id}/${step.action}`, {
      key: account.key,
      body: await inputFor(resource, step.action),
    });
    assert.ok(response.status < 300, `${step.action}: ${response.text}`);
  }
  if (!paths.has(state)) await external!.reach(await get());
  const current = await get();
  assert.equal(current[resource.lifecycle!.field], state);
  return current;
}

async function eventCount(): Promise<number> {
  return (await ctx.call('GET', '/v1/events?count=true&limit=1', { key: account.key })).body.page.total;
}

for (const resource of fieldlineApi().registry.resources.filter((r) => r.lifecycle && r.operations.has('create'))) {
  const field = resource.lifecycle!.field;
  const states = resource.fields[field].enumValues!;
  describe(`${resource.collection} lifecycle (${states.join(', ')})`, () => {
    for (const state of states) {
      test(`in '${state}', forbidden actions and writes answer 409 and change nothing`, async () => {
        const object = await objectInState(resource, state);
        const forbidden = Object.entries(resource.actions).filter(
          ([, a]) => !a.internal && a.from && !a.from.includes(state),
        );
        for (const [name] of forbidden) {
          const input = await inputFor(resource, name);
          const events = await eventCount();
          const response = await ctx.call('POST', `/v1/${resource.collection}/${object.id}/${name}`, {
            key: account.key,
            body: input,
          });
          assert.equal(response.status, 409, `${name} from ${state}: ${response.text}`);
          assert.equal(response.body.code, 'invalid_state_transition');
          assert.equal(response.body.current_state, state);
          assert.deepEqual(
            (await ctx.call('GET', `/v1/${resource.collection}/${object.id}`, { key: account.key })).body.data,
            object,
          );
          assert.equal(await eventCount(), events, `${name} from ${state} left an event`);
        }
        const { updatableIn, deletableIn } = resource.lifecycle!;
        if (resource.operations.has('update') && updatableIn && !updatableIn.includes(state)) {
          const writable = Object.entries(resource.fields).find(
            ([, s]) => s.access === 'writable' && s.kind === 'text',
          )?.[0];
          if (writable) {
            const response = await ctx.call('PATCH', `/v1/${resource.collection}/${object.id}`, {
              key: account.key,
              body: { [writable]: 'changed' },
            });
            assert.equal(response.status, 409, `PATCH in ${state}: ${response.text}`);
          }
        }
        if (resource.operations.has('delete') && deletableIn && !deletableIn.includes(state)) {
          const response = await ctx.call('DELETE', `/v1/${resource.collection}/${object.id}`, { key: account.key });
          assert.equal(response.status, 409, `DELETE in ${state}: ${response.text}`);
        }
        assert.deepEqual(
          (await ctx.call('GET', `/v1/${resource.collection}/${object.id}`, { key: account.key })).body.data,
          object,
        );
      });

      test(`in '${state}', allowed actions succeed and emit their event`, async () => {
        const allowed = Object.entries(resource.actions).filter(
          ([, a]) => !a.internal && a.event && (!a.from || a.from.includes(state)),
        );
        for (const [name, action] of allowed) {
          const object = await objectInState(resource, state);
          await BEFORE_ACTION.get(`${resource.collection}.${name}`)?.(object);
          const response = await ctx.call('POST', `/v1/${resource.collection}/${object.id}/${name}`, {
            key: account.key,
            body: await inputFor(resource, name),
          });
          assert.equal(response.status, action.status ?? 200, `${name} from ${state}: ${response.text}`);
          if (action.to) assert.equal(response.body.data[field], action.to);
          const events = await ctx.call('GET', `/v1/events?type=${resource.name}.${action.event}&limit=1`, {
            key: account.key,
          });
          assert.equal(events.body.data[0]?.data.object.id, object.id);
        }
      });
    }
  });
}
