// Workflows: steps with branches and delays, started by hand (with a record or an input object)
// or by a rule; each run keeps the version it started with; circles are refused when saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AutomationEngine } from '../src/automation/automation-engine.ts';
import { accountClient, createTestContext, type TestAccount, type TestContext } from './support/test-context.ts';
import { assertProblem } from './support/problem-assertions.ts';

let ctx: TestContext;
let account: TestAccount;
let engine: AutomationEngine;
/** How far the engine's clock runs ahead of the real one. */
let ahead = 0;
const { call, created } = accountClient(
  () => ctx,
  () => account,
);

before(async () => {
  ctx = await createTestContext();
  account = await ctx.newAccount('Workflow Co');
  engine = new AutomationEngine(ctx.runtime, pino({ level: 'silent' }), {
    accountIds: [account.id],
    now: () => Date.now() + ahead,
  });
});
after(() => ctx.close());

const ticketsTitled = async (subject: string) =>
  ((await call('GET', '/v1/tickets?limit=100')).body.data as any[]).filter((t) => t.subject === subject);
const ticket = (subject: string) => ({ type: 'create_record', collection: 'tickets', fields: { subject } });

test('a workflow branches on its record, waits out a delay, and keeps the version it started with', async () => {
  const workflow = await created('workflows', {
    name: 'Triage',
    collection: 'customers',
    steps: [
      {
        type: 'branch',
        if: { field: 'object.tags', op: 'contains', value: 'vip' },
        then: [ticket('VIP {{object.name}}')],
        else: [ticket('Regular {{object.name}}')],
      },
      { type: 'delay', seconds: 1 },
      ticket('Done {{object.name}}'),
    ],
  });
  assert.equal(workflow.version, 1);
  const vip = await created('customers', { name: 'Vera', tags: ['vip'] });
  const started = await call('POST', `/v1/workflows/${workflow.id}/trigger`, { object_id: vip.id });
  assert.equal(started.status, 200, started.text);
  assert.deepEqual([started.body.data.trigger, started.body.data.workflow_version], ['manual', 1]);
  // A new version while the run waits: the run goes on with the steps it started with.
  const edited = await call('PATCH', `/v1/workflows/${workflow.id}`, { steps: [ticket('Version two')] });
  assert.equal(edited.body.data.version, 2);
  await engine.settle();
  let run = (await call('GET', `/v1/automation-runs/${started.body.data.id}`)).body.data;
  assert.equal(run.status, 'waiting');
  ahead += 1_500;
  await engine.settle();
  run = (await call('GET', `/v1/automation-runs/${run.id}`)).body.data;
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(
    run.steps.map((s: any) => [s.action, s.result?.took ?? null]),
    [
      ['branch', 'then'],
      ['create_record', null],
      ['delay', null],
      ['create_record', null],
    ],
  );
  assert.equal((await ticketsTitled('VIP Vera')).length, 1);
  assert.equal((await ticketsTitled('Regular Vera')).length, 0);
  assert.equal((await ticketsTitled('Done Vera')).length, 1);
  assert.equal((await ticketsTitled('Version two')).length, 0);
  const listed = (await call('GET', `/v1/workflows/${workflow.id}/runs`)).body.data;
  assert.deepEqual(
    listed.map((r: any) => r.id),
    [run.id],
  );
});

test('a rule starts a workflow with its object; an input object works without a record', async () => {
  const workflow = await created('workflows', {
    name: 'Welcome',
    collection: 'customers',
    steps: [ticket('Welcome {{object.name}}')],
  });
  await created('automation-rules', {
    name: 'Start welcome',
    trigger: { type: 'event', event: 'customer.created' },
    actions: [{ type: 'start_workflow', workflow_id: workflow.id }],
  });
  await created('customers', { name: 'Wanda' });
  await engine.settle();
  assert.equal((await ticketsTitled('Welcome Wanda')).length, 1);
  const runs = (await call('GET', `/v1/workflows/${workflow.id}/runs`)).body.data;
  assert.deepEqual(
    runs.map((r: any) => [r.trigger, r.depth]),
    [['workflow', 1]],
  );

  const free = await created('workflows', { name: 'Free', steps: [ticket('Input {{object.topic}}')] });
  const started = await call('POST', `/v1/workflows/${free.id}/trigger`, { input: { topic: 'boilers' } });
  assert.equal(started.status, 200, started.text);
  await engine.settle();
  assert.equal((await ticketsTitled('Input boilers')).length, 1);
});

test('workflows that would start each other in a circle are refused', async () => {
  const first = await created('workflows', { name: 'First', steps: [{ type: 'delay', seconds: 1 }] });
  const second = await created('workflows', {
    name: 'Second',
    steps: [{ type: 'start_workflow', workflow_id: first.id }],
  });
  const circle = assertProblem(
    await call('PATCH', `/v1/workflows/${first.id}`, {
      steps: [
        {
          type: 'branch',
          if: { field: 'event.type', op: 'eq', value: 'manual' },
          then: [{ type: 'start_workflow', workflow_id: second.id }],
        },
      ],
    }),
    422,
    'validation_failed',
  );
  assert.equal(circle.errors[0].path, 'steps.0.then.0.workflow_id');
  const bad = assertProblem(
    await call('POST', '/v1/workflows', {
      name: 'Bad',
      steps: [{ type: 'branch', if: { field: 'object.x', op: 'zz' }, then: [{ type: 'explode' }] }],
    }),
    422,
    'validation_failed',
  );
  const paths = bad.errors.map((e: any) => e.path);
  assert.ok(paths.includes('steps.0.if.op') && paths.some((p: string) => p.startsWith('steps.0.then.0')), paths.join());
});
