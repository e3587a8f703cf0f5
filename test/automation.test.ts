// Automation rules act for the account: an event, a schedule or a date coming up starts a run
// when the rule's conditions hold; its actions go through the API's own operations with the
// scopes of whoever saved the rule; what it sends respects opt-outs; loops stop; a rule can be
// tested without effects. The engine is driven round by round, on a clock the suite moves.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { systemQuery } from '../src/db/system-query.ts';
import { AutomationEngine } from '../src/automation/automation-engine.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
let engine: AutomationEngine;
let clock = Date.parse('2026-06-01T12:00:00Z');
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount('Harbour Plumbing');
  engine = new AutomationEngine(ctx.runtime, pino({ level: 'silent' }), {
    accountIds: [account.id],
    now: () => clock,
  });
});
after(() => ctx.close());

const rule = (body: Record<string, unknown>) => created('automation-rules', { name: 'A rule', ...body });
const runsOf = async (ruleId: string) =>
  (await call('GET', `/v1/automation-rules/${ruleId}/runs?limit=100`)).body.data as Record<string, any>[];
const ticketsTitled = async (subject: string) =>
  ((await call('GET', '/v1/tickets?limit=100')).body.data as any[]).filter((t) => t.subject === subject);

async function newKey(scopes: string[]) {
  const made = await call('POST', '/v1/api-keys', { name: 'Narrow', scopes });
  assert.equal(made.status, 201, made.text);
  return made.body.data.secret as string;
}

describe('event rules', () => {
  test('run their actions for events whose conditions hold, and skip the others', async () => {
    const vipRule = await rule({
      trigger: { type: 'event', event: 'customer.created' },
      conditions: { and: [{ field: 'object.tags', op: 'contains', value: 'vip' }] },
      actions: [
        {
          type: 'create_record',
          collection: 'tickets',
          fields: { subject: 'Welcome {{object.name}}', customer_id: '{{object.id}}' },
        },
        { type: 'update_record', fields: { notes: 'Welcomed by automation' } },
      ],
    });
    assert.equal(vipRule.trigger_event, 'customer.created');
    assert.ok(vipRule.acts_with_scopes.length > 0, 'acts with the saver’s scopes');
    const vip = await created('customers', { name: 'Ada Lovelace', tags: ['vip'] });
    await created('customers', { name: 'Charles Babbage', tags: [] });
    await engine.settle();

    const runs = await runsOf(vipRule.id);
    assert.deepEqual(
      runs.map((r) => r.status),
      ['succeeded'],
      'an event the conditions pass over makes no run',
    );
    const done = runs.find((r) => r.status === 'succeeded')!;
    assert.equal(done.object_id, vip.id);
    assert.deepEqual(
      done.steps.map((s: any) => [s.action, s.status]),
      [
        ['create_record', 'succeeded'],
        ['update_record', 'succeeded'],
      ],
    );
    const [ticket] = await ticketsTitled('Welcome Ada Lovelace');
    assert.equal(ticket?.customer_id, vip.id, 'templates render the event’s object');
    assert.equal(done.steps[0].result.id, ticket.id);
    assert.equal((await call('GET', `/v1/customers/${vip.id}`)).body.data.notes, 'Welcomed by automation');
    const events = (await call('GET', '/v1/events?type=automation_run.succeeded')).body.data;
    assert.ok(
      events.some((e: any) => e.data.object.id === done.id),
      'a finished run is an event',
    );
  });

  test('stop at an action the API refuses, with the error on the run and the step', async () => {
    const refusing = await rule({
      trigger: { type: 'event', event: 'job.created' },
      actions: [{ type: 'run_action', action: 'complete' }],
    });
    const customer = await created('customers', { name: 'Grace Hopper' });
    await created('jobs', { title: 'Inspect boiler', customer_id: customer.id });
    await engine.settle();
    const [run] = await runsOf(refusing.id);
    assert.equal(run.status, 'failed');
    assert.match(run.error, /^invalid_state_transition: /);
    assert.equal(run.steps[0].status, 'failed');
    const failures = (await call('GET', '/v1/events?type=automation_run.failed')).body.data;
    assert.ok(failures.some((e: any) => e.data.object.id === run.id));
    await call('PATCH', `/v1/automation-rules/${refusing.id}`, { enabled: false });
  });

  test('that trigger each other stop after five hops, saying why', async () => {
    const looping = await rule({
      trigger: { type: 'event', event: 'contact.updated' },
      actions: [{ type: 'update_record', fields: { title: '{{object.title}}+' } }],
    });
    const contact = await created('contacts', { first_name: 'Loop', title: 'L' });
    await call('PATCH', `/v1/contacts/${contact.id}`, { title: 'M' });
    await engine.settle();
    const runs = await runsOf(looping.id);
    assert.equal(runs.filter((r) => r.status === 'succeeded').length, 6, 'depths 0 to 5 run');
    const stopped = runs.filter((r) => r.status === 'failed');
    assert.equal(stopped.length, 1);
    assert.match(stopped[0]!.error, /loop/);
    assert.equal((await call('GET', `/v1/contacts/${contact.id}`)).body.data.title, 'M++++++');
    await call('PATCH', `/v1/automation-rules/${looping.id}`, { enabled: false });
  });

  test('wait out a delay, and a cancelled run stops before its next action', async () => {
    const delayed = await rule({
      trigger: { type: 'event', event: 'lead.created' },
      actions: [
        { type: 'delay', seconds: 1 },
        { type: 'create_record', collection: 'tickets', fields: { subject: 'Follow up {{object.first_name}}' } },
      ],
    });
    await created('leads', { first_name: 'Early' });
    await engine.settle();
    let [run] = await runsOf(delayed.id);
    assert.equal(run!.status, 'waiting');
    clock += 1_500;
    await engine.settle();
    [run] = await runsOf(delayed.id);
    assert.equal(run!.status, 'succeeded');
    assert.equal((await ticketsTitled('Follow up Early')).length, 1);

    await created('leads', { first_name: 'Late' });
    await engine.settle();
    const waiting = (await runsOf(delayed.id)).find((r) => r.status === 'waiting')!;
    assert.equal((await call('POST', `/v1/automation-runs/${waiting.id}/cancel`)).status, 200);
    clock += 1_500;
    await engine.settle();
    assert.equal((await call('GET', `/v1/automation-runs/${waiting.id}`)).body.data.status, 'cancelled');
    assert.equal((await ticketsTitled('Follow up Late')).length, 0);
    await call('PATCH', `/v1/automation-rules/${delayed.id}`, { enabled: false });
  });
});

describe('what leaves', () => {
  test('mail skips opted-out contacts, members by role are notified, a webhook goes to its endpoint only', async () => {
    const office = await created('users', { name: 'Olive', email: 'olive@automation.example', role: 'office' });
    const endpoint = await created('webhook-endpoints', {
      url: 'http://127.0.0.1:9/automation',
      enabled_events: ['*'],
    });
    const everything = await created('webhook-endpoints', { url: 'http://127.0.0.1:9/all', enabled_events: ['*'] });
    const messaging = await rule({
      trigger: { type: 'event', event: 'contact.created' },
      conditions: { field: 'object.email', op: 'exists' },
      actions: [
        {
          type: 'send_message',
          channel: 'email',
          to: '{{object.email}}',
          subject: 'Hello {{object.first_name}}',
          body: 'Welcome aboard.',
        },
        { type: 'notify_users', roles: ['office'], title: 'New contact', body: '{{object.first_name}} joined' },
        { type: 'call_webhook', endpoint_id: endpoint.id },
      ],
    });
    const reachable = await created('contacts', { first_name: 'Mail', email: 'mail.me@example.test' });
    await created('contacts', { first_name: 'Nomail', email: 'no.mail@example.test', email_opt_out: true });
    await engine.settle();
    const runs = await runsOf(messaging.id);
    assert.deepEqual(
      runs.map((r) => r.status),
      ['succeeded', 'succeeded'],
    );
    const byObject = (id: string) => runs.find((r) => r.object_id === id)!;
    const mailed = byObject(reachable.id).steps[0].result;
    const mails = await systemQuery(ctx.db, {
      sql: 'SELECT subject, to_addresses FROM mail_outbox WHERE delivery_id = $1',
      parameters: [mailed.delivery_id],
    });
    assert.deepEqual(
      mails.map((m) => m.subject),
      ['Hello Mail'],
    );
    const skipped = runs.find((r) => r.object_id !== reachable.id)!.steps[0].result;
    assert.equal(skipped.skipped, 'opted_out');
    assert.equal(skipped.delivery_id, undefined, 'nothing queued for an opted-out contact');

    assert.deepEqual(byObject(reachable.id).steps[1].result.user_ids, [office.id]);
    const notes = (await call('GET', `/v1/notifications?user_id=${office.id}`)).body.data;
    assert.ok(notes.some((n: any) => n.body === 'Mail joined'));

    const { event_id } = byObject(reachable.id).steps[2].result;
    const queued = await systemQuery(ctx.db, {
      sql: 'SELECT endpoint_id FROM webhook_queue WHERE event_id = $1',
      parameters: [event_id],
    });
    assert.deepEqual(
      queued.map((q) => q.endpoint_id),
      [endpoint.id],
      `not ${everything.id}, subscribed to all`,
    );
    await call('PATCH', `/v1/automation-rules/${messaging.id}`, { enabled: false });
  });
});

describe('rules refused when saved', () => {
  const base = {
    name: 'Bad',
    trigger: { type: 'event', event: 'job.completed' },
    actions: [{ type: 'delay', seconds: 5 }],
  };
  const countRules = async () => (await call('GET', '/v1/automation-rules?limit=100')).body.data.length;

  test('name each problem with its path, and save nothing', async () => {
    const before = await countRules();
    const cases: [Record<string, unknown>, string][] = [
      [{ trigger: { type: 'event', event: 'job.exploded' } }, 'trigger.event'],
      [{ trigger: { type: 'schedule', cron: '61 * * * *' } }, 'trigger.cron'],
      [{ trigger: { type: 'relative', collection: 'jobs', field: 'title', offset_minutes: 0 } }, 'trigger.field'],
      [{ conditions: { field: 'object.colour', op: 'eq', value: 'red' } }, 'conditions.field'],
      [{ conditions: { field: 'object.status', op: 'between', value: 1 } }, 'conditions.op'],
      [{ conditions: { or: [] } }, 'conditions.or'],
      [{ conditions: { field: 'object.status', op: 'in', value: 'done' } }, 'conditions.value'],
      [{ actions: [{ type: 'update_record', fields: { colour: 'red' } }] }, 'actions.0.fields.colour'],
      [{ actions: [{ type: 'update_record', fields: { status: 'completed' } }] }, 'actions.0.fields.status'],
      [{ actions: [{ type: 'create_record', collection: 'tickets', fields: {} }] }, 'actions.0.fields.subject'],
      [{ actions: [{ type: 'run_action', action: 'explode' }] }, 'actions.0.action'],
      [{ actions: [{ type: 'notify_users', roles: ['king'], title: 't', body: 'b' }] }, 'actions.0.roles.0'],
      [{ actions: [{ type: 'call_webhook', endpoint_id: 'we_01ARZ3NDEKTSV4RRFFQ69G5FAV' }] }, 'actions.0.endpoint_id'],
      [{ actions: [{ type: 'send_message', channel: 'sms', to: '{{object.nope}}', body: 'x' }] }, 'actions.0.to'],
      [
        { trigger: { type: 'schedule', cron: '0 8 * * *' }, actions: [{ type: 'update_record', fields: {} }] },
        'actions.0.type',
      ],
    ];
    for (const [change, path] of cases) {
      const problem = assertProblem(
        await call('POST', '/v1/automation-rules', { ...base, ...change }),
        422,
        'validation_failed',
      );
      assert.ok(
        problem.errors.some((e: any) => e.path === path),
        `${JSON.stringify(change)}: expected an error at ${path}, got ${JSON.stringify(problem.errors)}`,
      );
    }
    assert.equal(await countRules(), before);
  });

  test('that would act beyond the saver’s scopes: 403 naming the scope', async () => {
    const narrow = await newKey(['read:automation-rules', 'write:automation-rules', 'read:customers']);
    const body = {
      ...base,
      trigger: { type: 'event', event: 'customer.created' },
      actions: [{ type: 'create_record', collection: 'tickets', fields: { subject: 'x' } }],
    };
    const refused = assertProblem(await call('POST', '/v1/automation-rules', body, narrow), 403, 'insufficient_scope');
    assert.equal(refused.required_scope, 'write:tickets');
    const enough = await newKey(['read:automation-rules', 'write:automation-rules', 'read:customers', 'write:tickets']);
    const saved = await created('automation-rules', body, enough);
    assert.deepEqual(saved.acts_with_scopes, [
      'read:automation-rules',
      'read:customers',
      'write:automation-rules',
      'write:tickets',
    ]);
    // Saved again by the narrow key, it would act with less than it needs: refused too.
    assertProblem(
      await call('PATCH', `/v1/automation-rules/${saved.id}`, { enabled: false }, narrow),
      403,
      'insufficient_scope',
    );
    await call('DELETE', `/v1/automation-rules/${saved.id}`);
  });
});

describe('testing a rule', () => {
  test('judges and renders against an object or the latest event, writing nothing', async () => {
    const tested = await rule({
      enabled: false,
      trigger: { type: 'event', event: 'customer.created' },
      conditions: { field: 'object.name', op: 'contains', value: 'ada' },
      actions: [{ type: 'create_record', collection: 'tickets', fields: { subject: 'Call {{object.name}}' } }],
    });
    const given = await call('POST', `/v1/automation-rules/${tested.id}/test`, { object: { name: 'Ada Byron' } });
    assert.equal(given.status, 200, given.text);
    assert.equal(given.body.data.conditions_hold, true);
    assert.equal(given.body.data.actions[0].fields.subject, 'Call Ada Byron');
    const latest = await call('POST', `/v1/automation-rules/${tested.id}/test`, {});
    assert.equal(latest.body.data.event.type, 'customer.created');
    assert.equal(typeof latest.body.data.conditions_hold, 'boolean');
    assert.deepEqual(await runsOf(tested.id), []);
    assert.equal((await ticketsTitled('Call Ada Byron')).length, 0);
  });
});

describe('time triggers', () => {
  test("a schedule fires once per moment, in the account's time zone", async () => {
    await call('PATCH', '/v1/account/branding', { time_zone: 'Europe/Paris' });
    const daily = await rule({
      trigger: { type: 'schedule', cron: '0 8 * * *' },
      actions: [{ type: 'create_record', collection: 'tickets', fields: { subject: 'Daily check {{event.id}}' } }],
    });
    const parisTime = (at: string) =>
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(
        new Date(at),
      );
    assert.equal(parisTime(daily.next_run_at), '08:00');
    clock = Date.parse(daily.next_run_at) + 60_000;
    await engine.settle();
    await engine.settle();
    const runs = await runsOf(daily.id);
    assert.deepEqual(
      runs.map((r) => [r.trigger, r.status]),
      [['schedule', 'succeeded']],
    );
    const after = (await call('GET', `/v1/automation-rules/${daily.id}`)).body.data;
    assert.equal(parisTime(after.next_run_at), '08:00');
    assert.ok(Date.parse(after.next_run_at) > clock, 'the next moment, not the one just fired');
    await call('PATCH', `/v1/automation-rules/${daily.id}`, { enabled: false });
  });

  test('a date trigger runs once per object when its time comes', async () => {
    const reminder = await rule({
      trigger: { type: 'relative', collection: 'jobs', field: 'scheduled_start', offset_minutes: -1440 },
      actions: [{ type: 'create_record', collection: 'tickets', fields: { subject: 'Tomorrow: {{object.title}}' } }],
    });
    const customer = await created('customers', { name: 'Date Customer' });
    const job = await created('jobs', { title: 'Annual service', customer_id: customer.id });
    const start = new Date(Math.max(clock, Date.now()) + 3 * 86_400_000).toISOString();
    const end = new Date(Date.parse(start) + 3_600_000).toISOString();
    const scheduled = await call('POST', `/v1/jobs/${job.id}/schedule`, { scheduled_start: start, scheduled_end: end });
    assert.equal(scheduled.status, 200, scheduled.text);
    clock = Date.parse(start) - 2 * 86_400_000;
    await engine.settle();
    assert.deepEqual(await runsOf(reminder.id), [], 'two days before: not yet');
    clock = Date.parse(start) - 86_400_000 + 60_000;
    await engine.settle();
    clock += 3_600_000;
    await engine.settle();
    const runs = await runsOf(reminder.id);
    assert.deepEqual(
      runs.map((r) => [r.trigger, r.object_id, r.status]),
      [['relative', job.id, 'succeeded']],
    );
    assert.equal((await ticketsTitled('Tomorrow: Annual service')).length, 1);
  });
});
